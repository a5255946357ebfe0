"""Request and response bodies of the HTTP service (shown in its OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ClassifyRequest(BaseModel):
    """One text (``text``), a list of texts (``texts``), or items with ids (``items``): exactly one.

    Items are checked one by one, so an empty or malformed item gets its own error while the
    rest of the batch is classified.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "Thanks for coming to the school today!"},
                {"texts": ["Bikes stolen again on Fog Lane", "Can someone come round please?"]},
                {"items": [{"id": "1834", "text": "Cars parked on the pavement outside the school again"}]},
            ]
        },
    )

    text: Any = Field(default=None, description="One mention text.")
    texts: list[Any] | None = Field(default=None, description="Several mention texts; results come back in order.")
    items: list[Any] | None = Field(
        default=None, description='Objects {"id": ..., "text": ...}; each id is echoed in its result.'
    )


class ItemError(BaseModel):
    code: str = Field(description="empty_text, not_a_string, text_too_long or invalid_item.")
    message: str


class ItemResult(BaseModel):
    """One item's result: its labels and scores, or its error."""

    index: int = Field(description="The item's position in the request.")
    id: Any = Field(default=None, description="The item's id, echoed (items only).")
    label: str | None = Field(default=None, description="The primary label.")
    labels: list[str] | None = Field(default=None, description="Every label that applies.")
    scores: dict[str, float] | None = Field(default=None, description="Calibrated probability of each label.")
    error: ItemError | None = None


class ClassifyResponse(BaseModel):
    model_id: str
    results: list[ItemResult]


class ModelInfo(BaseModel):
    model_id: str
    backend: str
    labels: list[str]
    fallback_label: str
    precedence: list[str]
    created_at: str | None = None
    held_out: dict[str, Any] = Field(description="Held-out figures from the model card (macro-F1, per label).")
    lineage: dict[str, Any] = Field(description="Training sources, sizes and the reason the model was chosen.")


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every error the service answers has this shape."""

    error: ErrorBody
    request_id: str


class Health(BaseModel):
    status: str
    model_id: str | None = None
