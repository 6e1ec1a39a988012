"""Full text of the portal's documents: sniffing, extraction and
dehyphenation (pure), the limited child process (sandbox), reading and
writing the texts (storage; the table is model/fulltext.py, outside
package_show), the background job (jobs), its worker, the status of a
document (status) and the plugin `thueringen_fulltext` (plugin)."""
