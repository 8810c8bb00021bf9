"""The client directory (取引先台帳): list, add, edit, delete, CSV import and export.

Names, aliases and domains of client companies are business data, not personal data.
"""

from __future__ import annotations

import re

from inspectors.clients import Client

from ..directory_file import DirectoryError, domain, read_clients
from .directory_csv import clients_csv
from .directory_pages import DirectoryPages

_DOMAIN_SPLIT = re.compile(r"[\s,;、；]+")


def client_from(form) -> Client:
    """A client from the add/edit form: aliases one per line, domains one per line (or
    separated by commas). Raises DirectoryError naming the field."""
    name = str(form.get("name", "")).strip()
    if not name or len(name) > 300:
        raise DirectoryError("name: 会社名を入力してください / a name of 1 to 300 characters is required")
    aliases = tuple(dict.fromkeys(a.strip() for a in str(form.get("aliases", "")).splitlines() if a.strip()))
    texts = [d for d in _DOMAIN_SPLIT.split(str(form.get("domains", ""))) if d]
    domains = tuple(dict.fromkeys(domain(d, "domains", i) for i, d in enumerate(texts, 1)))
    return Client(name=name, aliases=aliases, domains=domains)


class ClientPages(DirectoryPages):
    name, noun, listed_as, import_counts = "clients", "client", "clients", ("added", "updated")

    def parse(self, form) -> Client:
        return client_from(form)

    async def entries(self):
        return await self.directory.clients()

    async def entry(self, entry_id):
        return await self.directory.client(entry_id)

    async def insert(self, value):
        return await self.directory.add_client(value)

    async def replace(self, entry_id, value):
        return await self.directory.update_client(entry_id, value)

    async def remove(self, entry_id):
        return await self.directory.delete_client(entry_id)

    def read_csv(self, data, source):
        return read_clients(data, source)

    async def import_entries(self, items, replace):
        return await self.directory.import_clients(items, replace=replace)

    def csv_of(self, records):
        return clients_csv(records)
