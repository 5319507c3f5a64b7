"""The pure mail core: parse a raw email, find the request's fields in it. No AWS here."""

from corrigo.mail.extraction import Extraction, extract_fields
from corrigo.mail.parsed import Attachment, ParsedMail
from corrigo.mail.parsing import parse_mail
from corrigo.mail.quoting import strip_quoted

__all__ = ["Attachment", "Extraction", "ParsedMail", "extract_fields", "parse_mail", "strip_quoted"]
