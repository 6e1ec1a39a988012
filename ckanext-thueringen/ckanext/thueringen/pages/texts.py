"""The operator's texts and settings of the portal's text pages, read from the
configuration (config_declaration.yaml, `thueringen.pages.*`), and the
headings of the error page."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

import ckan.plugins.toolkit as toolkit
import nh3
from markupsafe import Markup

_ = toolkit._

# BITV 2.0 § 7 Abs. 1: the three states of compliance an accessibility statement names.
COMPLIANCE = ("full", "partial", "none")
# What an operator's text may hold: structure and links, no image (an image on
# another host would make every visitor's browser contact it).
TEXT_TAGS = {"h2", "h3", "h4", "p", "br", "a", "ul", "ol", "li", "strong", "em", "blockquote", "code", "abbr"}
TEXT_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}


def setting(name: str) -> str:
    return (toolkit.config.get(f"thueringen.pages.{name}") or "").strip()


def markdown(name: str) -> Markup:
    """An operator's Markdown text, rendered by CKAN (which removes HTML) and
    cut down to TEXT_TAGS."""
    html = str(toolkit.h.render_markdown(setting(name), auto_link=False))
    return Markup(nh3.clean(html, tags=TEXT_TAGS, attributes=TEXT_ATTRIBUTES, link_rel="noopener noreferrer"))


def contact_email() -> str:
    return setting("contact_email")


def feedback_url() -> str:
    """The feedback channel: the operator's form, or an e-mail to the contact address."""
    return setting("feedback_url") or "mailto:" + quote(contact_email(), safe="@")


def compliance() -> str:
    value = setting("accessibility.compliance")
    return value if value in COMPLIANCE else "partial"


def compliance_text(value: str) -> str:
    return {"full": _("This website is fully compliant with BITV 2.0."),
            "partial": _("This website is partially compliant with BITV 2.0. The parts that are not yet "
                         "accessible are listed below."),
            "none": _("This website is not compliant with BITV 2.0. The parts that are not yet "
                      "accessible are listed below.")}[value]


def statement_date() -> str | None:
    """The statement's date as YYYY-MM-DD (for h.render_datetime), None when unset or invalid."""
    try:
        return date.fromisoformat(setting("accessibility.statement_date")).isoformat()
    except ValueError:
        return None


def error_heading(code: int | str | None) -> str:
    """The heading of CKAN's error page in the page's language."""
    headings = {400: _("The request is not valid"), 403: _("Access denied"), 404: _("Page not found"),
                500: _("An error occurred on the server")}
    try:
        return headings.get(int(code), _("Error {code}").format(code=code))
    except (TypeError, ValueError):
        return _("Error")


def get_helpers() -> dict:
    return {"thueringen_page_setting": setting, "thueringen_page_markdown": markdown,
            "thueringen_contact_email": contact_email, "thueringen_feedback_url": feedback_url,
            "thueringen_accessibility_compliance": lambda: compliance_text(compliance()),
            "thueringen_accessibility_date": statement_date, "thueringen_error_heading": error_heading}
