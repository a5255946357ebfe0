"""The model card (README.md) written beside every saved model."""

from __future__ import annotations

from .evaluate import format_metrics


def render_card(config: dict) -> str:
    training = config.get("training", {})
    metrics = config.get("metrics") or {}
    lines = [
        f"# Model card: `{config['model_id']}`",
        "",
        "A mention_insight classifier of social-media mentions to neighbourhood police accounts",
        "(see the project's CODEBOOK: thanks, visit_request, shared_info, complaint, other).",
        "",
        "## Model",
        f"- backend: `{config['backend']}`; format version {config['format_version']}; created {config['created_at']}",
        f"- labels: {', '.join(config['labels'])}; fallback `{config['fallback_label']}` when none passes its threshold",
        f"- primary label precedence: {' > '.join(config['precedence'])}",
        "- thresholds (tuned jointly on validation data for label and primary-label macro-F1): "
        + ", ".join(f"{c} {t:.2f}" for c, t in config["thresholds"].items()),
        f"- backend settings: `{config.get('backend_params', {})}`",
        "",
        "## Training data",
        f"- {training.get('n_train', '?')} training and {training.get('n_validation', '?')} validation mentions; "
        f"data fingerprint `{training.get('data_fingerprint', '')[:16]}`",
    ]
    for source in training.get("sources", []):
        lines.append(f"- source: {source}")
    if training.get("notes"):
        lines.append(f"- notes: {training['notes']}")
    lines += ["", "## Held-out evaluation", ""]
    if not metrics:
        lines.append("No held-out metrics were recorded for this model.")
    for name, m in metrics.items():
        if isinstance(m, dict) and "per_label" in m:
            title = f"held-out test set: {training.get('test_source', '')}" if name == "held_out" else name
            lines.append(format_metrics(m, title=title))
    why = config.get("why") or training.get("why")
    if why:
        lines += ["## Why this model", "", why, ""]
    lines += [
        "",
        "## Use and limits",
        "- Intended for triage and aggregate reporting of mentions, not for decisions about individuals.",
        "- Metrics on sentences written for the project overstate real-world accuracy; prefer the figures",
        "  on real text where given, and check a sample of your own data with `mention-insight evaluate`.",
        f"- Package versions at training time: {config.get('package_versions', {})}",
        "",
    ]
    return "\n".join(lines)
