"""Fetching papers from the network: Hugging Face Daily Papers and arXiv (listings and ids).

`names` holds what a user asks for (sources, base URLs, days) and imports no network code;
`http` is the one client (timeouts, retries, size cap, redirect rules, politeness, cancel);
`failures` is the one error (`SourceError`) and its words; `hf` and `arxiv` know each endpoint;
`fetching` fetches one source whole. Readers of the responses live in `core.formats`; importing
is the caller's.
"""
