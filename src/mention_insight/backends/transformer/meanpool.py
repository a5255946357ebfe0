"""A BERT encoder with a mean-pooling classification head, for fine-tuning.

all-MiniLM-L6-v2 was trained (as a sentence-transformers model) to represent a text by
the *mean* of its token vectors; its ``[CLS]`` pooler layer is left over from earlier
pre-training and was never tuned for that. ``BertForSequenceClassification`` classifies
from that pooler; this class classifies from the masked mean of the last hidden states
instead, as the base model was trained to be used. Padded positions are masked out of
the mean, so a text's logits do not depend on how far its batch is padded.

Imported only when training (it needs torch and transformers); the exported ONNX graph
has the same inputs and ``logits`` output as any other head, so inference is unchanged.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import BertModel, BertPreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput


class BertMeanPoolForSequenceClassification(BertPreTrainedModel):
    """``BertForSequenceClassification`` with a masked mean over tokens in place of the pooler."""

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(config.classifier_dropout or config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None, **kwargs):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        logits = self.classifier(self.dropout(pooled))
        loss = None
        if labels is not None:
            loss = nn.functional.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
        return SequenceClassifierOutput(loss=loss, logits=logits)


def load_float_model(path):
    """A fine-tuned float model saved by ``TransformerBackend.save_pretrained``, with its own head."""
    import json
    from pathlib import Path

    from transformers import AutoModelForSequenceClassification

    config = json.loads((Path(path) / "config.json").read_text("utf-8"))
    if BertMeanPoolForSequenceClassification.__name__ in config.get("architectures", []):
        return BertMeanPoolForSequenceClassification.from_pretrained(path, local_files_only=True)
    return AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True)
