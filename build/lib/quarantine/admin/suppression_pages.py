"""The suppression list (配信停止・送信禁止): addresses and @domains that must not be mailed.
List, add, edit, delete, CSV import and export. The entries are personal data, which is why
no audit row names one (see directory_pages).
"""

from __future__ import annotations

from ..directory_file import DirectoryError, read_suppressions, suppression_entry
from .directory_csv import suppressions_csv
from .directory_pages import DirectoryPages


def entry_from(form) -> tuple[str, str]:
    """(entry, note) from the add/edit form; raises DirectoryError naming the field."""
    text = str(form.get("entry", "")).strip()
    if not text or len(text) > 320:
        raise DirectoryError(
            "entry: アドレスまたは @ドメイン を入力してください / an address or @domain is required"
        )
    note = str(form.get("note", "")).strip()[:500]
    return suppression_entry(text, "entry", 1), note


class SuppressionPages(DirectoryPages):
    name, noun, listed_as, import_counts = "suppressions", "suppression", "entries", ("added", "known")

    def parse(self, form) -> tuple[str, str]:
        return entry_from(form)

    async def entries(self):
        return await self.directory.suppressions()

    async def entry(self, entry_id):
        return await self.directory.suppression(entry_id)

    async def insert(self, value):
        return await self.directory.add_suppression(*value)

    async def replace(self, entry_id, value):
        return await self.directory.update_suppression(entry_id, *value)

    async def remove(self, entry_id):
        return await self.directory.delete_suppression(entry_id)

    def read_csv(self, data, source):
        return read_suppressions(data, source)

    async def import_entries(self, items, replace):
        return await self.directory.import_suppressions(items, replace=replace, note="import")

    def csv_of(self, records):
        return suppressions_csv(records)
