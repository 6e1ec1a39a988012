"""An Atom feed as an authority's content management system writes it (enclosures,
xml:base, xhtml content, RFC 5005 paging, RFC 6721 tombstones): read by the feed
mapping's unit tests and served to the feed harvester on the stack."""
from __future__ import annotations

FEED_URL = "https://www.example-amt.de/veroeffentlichungen/feed.atom"

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="http://purl.org/syndication/history/1.0"
      xmlns:at="http://purl.org/atompub/tombstones/1.0" xml:lang="de-DE" xml:base="https://www.example-amt.de/">
  <title>Veröffentlichungen des Beispielamts</title>
  <id>urn:uuid:6c1f6a9e-0000-4000-8000-000000000001</id>
  <updated>2024-06-03T09:00:00+02:00</updated>
  <author><name>Beispielamt Thüringen</name><email>poststelle@example-amt.de</email></author>
  <link rel="self" href="{FEED_URL}"/>
  <link rel="next" href="veroeffentlichungen/feed.atom?page=2"/>
  <fh:complete/>
  <at:deleted-entry ref="https://www.example-amt.de/v/alt-1" when="2024-05-30T10:00:00Z"/>
  <entry>
    <id>https://www.example-amt.de/v/gutachten-2024-17</id>
    <title type="html">Gutachten zur &lt;b&gt;Hochwasserlage&lt;/b&gt; an der Unstrut</title>
    <updated>2024-06-02T14:30:00+02:00</updated>
    <published>2024-05-28T08:00:00+02:00</published>
    <summary type="html">&lt;p&gt;Das Gutachten bewertet die &lt;em&gt;Hochwasser&lt;/em&gt; &amp;amp; Dämme.&lt;/p&gt;&lt;p&gt;Zweiter Absatz.&lt;/p&gt;</summary>
    <category term="Gutachten" scheme="https://www.example-amt.de/kategorien"/>
    <category term="Hochwasser"/>
    <link rel="alternate" type="text/html" href="v/gutachten-2024-17"/>
    <link rel="enclosure" type="application/pdf" length="48213" title="Gutachten (PDF)" href="dokumente/gutachten-2024-17.pdf"/>
    <link rel="alternate" href="dokumente/anlage%201.odt"/>
    <link rel="enclosure" type="application/pdf" href="dokumente/gutachten-2024-17.pdf"/>
  </entry>
  <entry xml:base="https://cdn.example-amt.de/files/">
    <id>tag:example-amt.de,2024:vertrag-88</id>
    <title>Konzessionsvertrag Stromnetz</title>
    <updated>2024-04-01T00:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Vertrag über die <strong>Nutzung</strong> der Wege.</p></div></content>
    <category term="vertraege-daseinsvorsorge"/>
    <author><name>Stadtwerke-Referat</name></author>
    <link rel="related" type="application/vnd.openxmlformats-officedocument.wordprocessingml.document" href="vertrag-88.docx"/>
  </entry>
  <entry>
    <id>https://www.example-amt.de/v/ohne-kategorie</id>
    <title>Mitteilung ohne Kategorie</title>
    <updated>2024-03-01T00:00:00Z</updated>
  </entry>
  <entry>
    <title>Eintrag ohne Kennung und ohne Link</title>
  </entry>
  <entry>
    <id>https://www.example-amt.de/v/ohne-titel</id>
  </entry>
</feed>
""".encode()
