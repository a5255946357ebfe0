"""The transformer backend: all-MiniLM-L6-v2 fine-tuned with a multi-label head, served as int8 ONNX.

- :mod:`.serving`: the backend class, inference and model files (``onnxruntime``, ``tokenizers``);
- :mod:`.finetune`: the fine-tuning loop (``torch``, ``transformers``), imported by ``fit``;
- :mod:`.export`: ONNX export and static int8 quantisation (``onnx``);
- :mod:`.meanpool`: the mean-pooling classification head used when fine-tuning.
"""

from .serving import ONNX_FILE, PACKAGED_BASE, TOKENIZER_FILE, TransformerBackend, prepare

__all__ = ["ONNX_FILE", "PACKAGED_BASE", "TOKENIZER_FILE", "TransformerBackend", "prepare"]
