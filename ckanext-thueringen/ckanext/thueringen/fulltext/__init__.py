"""Full text of the portal's documents: sniffing, extraction and
dehyphenation (pure), the limited child process (sandbox), the table the text
lives in (storage, outside package_show), and the background job (jobs)."""
