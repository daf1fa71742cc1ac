package web

import (
	"net/netip"
	"time"
)

// Options are the operator's settings of the HTTP server (flags and environment of
// `corridor serve`; docs/operations.md lists them with their defaults). The zero value is a
// server without rate limits whose other limits take their defaults, which is what tests use.
type Options struct {
	// TrustedProxies are the addresses of reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed. Requests from anywhere else are taken at face
	// value: their socket address is the client and their scheme is the connection's.
	TrustedProxies []netip.Prefix
}

// hstsMaxAge is how long browsers remember to use HTTPS only, once told over HTTPS.
const hstsMaxAge = 365 * 24 * time.Hour
