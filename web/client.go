package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientAddr is the address a request came from: the socket's peer, or, when the peer is one
// of the trusted proxies, the rightmost X-Forwarded-For entry that is not itself a trusted
// proxy (entries further left were written by the client and prove nothing). It is computed
// once per request.
func clientAddr(c *fiber.Ctx, trusted []netip.Prefix) netip.Addr {
	if a, ok := c.Locals("client_addr").(netip.Addr); ok {
		return a
	}
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	addr := peer.Unmap()
	if inPrefixes(addr, trusted) {
		hops := c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)
	walk:
		for i := len(hops) - 1; i >= 0; i-- {
			list := string(hops[i])
			for list != "" {
				var hop string
				if j := strings.LastIndexByte(list, ','); j >= 0 {
					list, hop = list[:j], list[j+1:]
				} else {
					list, hop = "", list
				}
				a, err := netip.ParseAddr(strings.TrimSpace(hop))
				if err != nil {
					break walk // a trusted proxy wrote something unreadable: keep the last good hop
				}
				addr = a.Unmap()
				if !inPrefixes(addr, trusted) {
					break walk
				}
			}
		}
	}
	c.Locals("client_addr", addr)
	return addr
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
