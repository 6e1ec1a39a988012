"""Where the portal's own requests may go: one policy for every outbound request.

Harvest fetches, full-text downloads and anything later that requests a URL go
through `harvesters/fetch.py`, whose connections ask this policy before they
connect. An attacker who controls a URL (an editor's resource or harvest source,
a harvested record, a redirect) must not reach the portal's own services (Solr
has no authentication), the internal network or a cloud metadata service.

- Only http and https.
- The host name is resolved here, every address it resolves to is checked, and
  the connection goes to the checked address (the name stays in the Host header
  and in TLS's SNI and certificate check): a DNS answer that changes between
  check and connect cannot move the request (DNS rebinding).
- Refused: loopback, private (RFC 1918, unique local), shared (CGNAT),
  link-local (cloud metadata at 169.254.169.254), multicast, broadcast,
  unspecified, reserved and documentation ranges, in IPv4 and IPv6; IPv6
  addresses that carry an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96,
  6to4) are judged by that IPv4 address.
- If any address of a name is refused, the name is refused (a mixed answer
  would otherwise let the connection pick the internal one).
- Operators open internal addresses with `thueringen.outbound.allow`: networks
  (CIDR), addresses or host names, each optionally with a port or port range.

`OutboundRefused` carries a German sentence; fetch.py turns it into a
FetchError of kind "forbidden".
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
CONFIG_KEY = "thueringen.outbound.allow"

# What no request of the portal may reach unless an operator allows it, with
# the German name of the range for the refusal message. Python's own
# is_private/is_global flags are checked as well (see _refusal_reason).
_FORBIDDEN: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "eine unbestimmte Adresse („dieses Netz“)"),
    ("127.0.0.0/8", "eine Loopback-Adresse (dieser Rechner)"),
    ("10.0.0.0/8", "eine Adresse eines privaten Netzes"),
    ("172.16.0.0/12", "eine Adresse eines privaten Netzes"),
    ("192.168.0.0/16", "eine Adresse eines privaten Netzes"),
    ("100.64.0.0/10", "eine Adresse eines Provider-internen Netzes (Carrier-Grade NAT)"),
    ("169.254.0.0/16", "eine Link-local-Adresse (dort antworten z. B. Metadatendienste von Clouds)"),
    ("192.0.0.0/24", "eine für Protokolle reservierte Adresse"),
    ("192.0.2.0/24", "eine Dokumentationsadresse"),
    ("198.51.100.0/24", "eine Dokumentationsadresse"),
    ("203.0.113.0/24", "eine Dokumentationsadresse"),
    ("198.18.0.0/15", "eine für Netz-Messungen reservierte Adresse"),
    ("192.88.99.0/24", "eine reservierte Relay-Adresse (6to4)"),
    ("224.0.0.0/4", "eine Multicast-Adresse"),
    ("255.255.255.255/32", "die Broadcast-Adresse"),
    ("240.0.0.0/4", "eine reservierte Adresse"),
    ("::/128", "eine unbestimmte Adresse"),
    ("::1/128", "eine Loopback-Adresse (dieser Rechner)"),
    ("::/96", "eine veraltete IPv4-kompatible IPv6-Adresse"),
    ("100::/64", "eine Verwerfen-Adresse (Discard-Only)"),
    ("2001::/23", "eine für Protokolle reservierte IPv6-Adresse (z. B. Teredo)"),
    ("2001:db8::/32", "eine Dokumentationsadresse"),
    ("64:ff9b:1::/48", "eine Adresse eines lokalen NAT64-Netzes"),
    ("fc00::/7", "eine Adresse eines privaten Netzes (Unique Local Address)"),
    ("fe80::/10", "eine Link-local-Adresse"),
    ("fec0::/10", "eine Site-local-Adresse"),
    ("ff00::/8", "eine Multicast-Adresse"),
)
_FORBIDDEN_NETWORKS = tuple((ipaddress.ip_network(network), reason) for network, reason in _FORBIDDEN)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(Exception):
    """A request the policy does not allow; `message` is a German sentence."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def refusal_reason(address: str | IPAddress) -> str | None:
    """Why `address` may not be reached without an allow-list entry (German),
    or None for a public address."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        reason = refusal_reason(embedded)
        return f"{reason} (in der IPv6-Adresse {ip} enthalten)" if reason else None
    for network, reason in _FORBIDDEN_NETWORKS:
        if ip.version == network.version and ip in network:
            return reason
    if ip.is_multicast:
        return "eine Multicast-Adresse"
    if ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved or ip.is_unspecified \
            or not ip.is_global:
        return "eine nicht öffentliche Adresse"
    return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4)."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


@dataclass(frozen=True)
class AllowEntry:
    """One entry of the operator's allow-list."""

    text: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    host: str | None = None
    ports: tuple[int, int] | None = None

    def matches(self, host: str, ip: IPAddress, port: int) -> bool:
        if self.ports is not None and not self.ports[0] <= port <= self.ports[1]:
            return False
        if self.host is not None:
            return _normal_host(host) == self.host
        return ip.version == self.network.version and ip in self.network


def parse_allow_list(value: str | Iterable[str] | None) -> tuple[AllowEntry, ...]:
    """Entries separated by white space or commas: `10.1.0.0/16`, `10.1.2.3`,
    `10.1.2.3:8080`, `127.0.0.1:32768-60999`, `[fd00::1]:443`, `fd00::/8`,
    `intranet.example`, `intranet.example:8443`. Raises ValueError (German)."""
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else \
        [part for item in value for part in str(item).replace(",", " ").split()]
    return tuple(_parse_entry(item) for item in items)


def _parse_entry(text: str) -> AllowEntry:
    address, ports = text, None
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"{CONFIG_KEY}: „{text}“ ist kein gültiger Eintrag.")
            ports = _parse_ports(rest[1:], text)
    elif text.count(":") == 1:
        address, port_text = text.split(":")
        ports = _parse_ports(port_text, text)
    try:
        return AllowEntry(text, network=ipaddress.ip_network(address, strict=False), ports=ports)
    except ValueError:
        pass
    host = _normal_host(address)
    if not host or not all(part and (part.replace("-", "").isalnum()) for part in host.split(".")):
        raise ValueError(f"{CONFIG_KEY}: „{text}“ ist weder ein Netz (CIDR), eine Adresse noch ein Rechnername.")
    return AllowEntry(text, host=host, ports=ports)


def _parse_ports(text: str, entry: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        ports = (int(low), int(high or low))
    except ValueError:
        raise ValueError(f"{CONFIG_KEY}: „{entry}“ nennt keinen gültigen Port oder Portbereich.") from None
    if not 0 < ports[0] <= ports[1] <= 65535:
        raise ValueError(f"{CONFIG_KEY}: „{entry}“ nennt keinen gültigen Port oder Portbereich.")
    return ports


def _normal_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of `host` in the order the system gives them (raises socket.gaierror)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(sockaddr[0].split("%", 1)[0] for *_, sockaddr in answers))


# The resolver every policy uses unless it was given its own: a hook for tests
# that map names to addresses without DNS.
resolve: Resolver = system_resolver


class OutboundPolicy:
    """The rules for one process: the forbidden ranges and the operator's allow-list."""

    def __init__(self, allow: Iterable[AllowEntry] | str = (), resolver: Resolver | None = None):
        self.allow = parse_allow_list(allow) if isinstance(allow, str) else tuple(allow)
        self.resolver = resolver

    def addresses(self, host: str, port: int) -> list[str]:
        """The checked addresses to connect to for `host`:`port`, in the
        resolver's order. Raises OutboundRefused if any is not allowed, and
        socket.gaierror if the name does not resolve."""
        name = _normal_host(host)
        addresses = (self.resolver or resolve)(name, port)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        for address in addresses:
            ip = ipaddress.ip_address(address)
            reason = refusal_reason(ip)
            if reason is not None and not any(entry.matches(name, ip, port) for entry in self.allow):
                where = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
                if _literal(name) != ip:
                    where += f" (aufgelöst zu {ip})"
                raise OutboundRefused(
                    f"{where} ist {reason}; das Portal ruft solche Adressen nicht ab. Für eine Quelle "
                    f"in einem internen Netz kann der Betrieb sie in „{CONFIG_KEY}“ freigeben.")
        return addresses


def _literal(name: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


_configured: tuple[object, OutboundPolicy] | None = None


def configured_policy() -> OutboundPolicy:
    """The policy of this process, with the allow-list of CKAN's configuration
    (none outside CKAN: then only public addresses are reached)."""
    global _configured
    try:
        from ckan.common import config
        value = config.get(CONFIG_KEY, "")
    except Exception:  # noqa: BLE001 - no CKAN configuration loaded: nothing allowed
        value = None
    key = tuple(value) if isinstance(value, list) else value
    if _configured is None or _configured[0] != key:
        _configured = (key, OutboundPolicy(parse_allow_list(value)))
    return _configured[1]
