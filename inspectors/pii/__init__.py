"""The parts of the personal-data detector (`inspectors.personal_data`, issue 4).

normaliser  full-width and kanji forms of a matched span       validators  check digits, numbering plan, calendars
scanner     the one RE2 pass: candidates and context words     classifier  what a span is, by its nearest label
numbers     the long-number rules                               layout      signatures and quoted text
lines       a text's blank and separator lines, indexed once    (used by layout)
delimited   CSV and tab/space tables inside text                tables      header row, columns, split cells
records     people in tables and text lists                     ledger      values, places, findings
masks       masked evidence                                      columns     tables read column by column (issue 13)
readings    what a column's distinct texts yield, in bulk       tally       a column block's values into the ledger
owners      whose people a list holds (issue 14)                premises    table rows about premises (pii.places)
entries     text-list entries about premises                    lists       a table into the ledger: values, people, places
signs       what says premises and what says a person           zengin      全銀協 transfer files
transfer_layout  payees read by byte layout (damaged, Shift_JIS, EBCDIC transfer files)
technical   bare phone and card numbers in CAD files, measurements and logs (issue 17)
"""
