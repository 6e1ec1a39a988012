"""Template helpers of the plugin thueringen_quality."""
from __future__ import annotations

from typing import Any

from ckanext.thueringen.quality import metrics, storage


def thueringen_quality(package_id: str) -> dict[str, Any] | None:
    """The stored score of a dataset the page already shows (its access was checked)."""
    try:
        return storage.get(package_id)
    except Exception:  # noqa: BLE001 - no table yet (before `ckan db upgrade`): no badge
        from ckan import model

        model.Session.rollback()
        return None


def thueringen_quality_labels() -> dict[str, dict[str, str]]:
    return {"dimensions": metrics.DIMENSION_LABELS, "bands": metrics.BAND_LABELS,
            "max": {d: sum(m.points for m in metrics.METRICS if m.dimension == d) for d in metrics.DIMENSIONS}}


def get_helpers() -> dict:
    return {"thueringen_quality": thueringen_quality, "thueringen_quality_labels": thueringen_quality_labels}
