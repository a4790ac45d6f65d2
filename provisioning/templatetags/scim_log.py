"""The provisioning log's plain words on any page: `{% load scim_log %}`,
`{% with s=entry|log_sentence %}` then `{% include "provisioning/_log_sentence.html" %}`."""

from django import template

from provisioning.log_text import Sentence, log_sentence
from provisioning.models import ProvisioningLogEntry

register = template.Library()


@register.filter(name="log_sentence")
def log_sentence_filter(entry: ProvisioningLogEntry) -> Sentence:
    return log_sentence(entry)
