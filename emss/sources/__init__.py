"""Figures computed from the source systems' exports (see README, "Computing the FSC figures").

reading   recognises an export from its header and reads it with DuckDB, listing every problem
kinds     each kind of export's columns, as data
payables  the FSC's eight definitions, in SQL and in words, versioned
service_desk  the six Customer figures from the ticket export, likewise
receivables   past-due balances from AR agings, the quarter's debt movement and its comment
compute   exports in, figures and lineage out; commit as a `computed` snapshot
stored    what pages ask of computed snapshots: reconciliation, the invoices on hold
config    sources.toml: business units, trade supplier types, ticket groups, sectors...
"""
