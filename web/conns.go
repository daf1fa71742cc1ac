package web

import (
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// connLimiter wraps the server's listener: it caps open connections in total and per client
// address (trusted proxies excepted), answering the excess with a short problem document and
// closing it before the HTTP server ever sees it, and it tracks open connections so that a
// shutdown can close those still open when the grace period ends.
type connLimiter struct {
	net.Listener
	max, perIP int
	trusted    []netip.Prefix
	metrics    *Metrics

	mu        sync.Mutex
	open      map[*limitedConn]struct{}
	perIPOpen map[netip.Addr]int
}

func newConnLimiter(ln net.Listener, o Options, m *Metrics) *connLimiter {
	return &connLimiter{Listener: ln, max: o.MaxConns, perIP: o.MaxConnsPerIP, trusted: o.TrustedProxies, metrics: m,
		open: map[*limitedConn]struct{}{}, perIPOpen: map[netip.Addr]int{}}
}

// Accept returns the next connection within the caps; refused ones are answered and closed
// in the background, so a slow refused client never holds up the accept loop.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := netip.Addr{}
		if tcp, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			addr, _ = netip.AddrFromSlice(tcp.IP)
			addr = addr.Unmap()
		}
		l.mu.Lock()
		reason := ""
		switch {
		case l.max > 0 && len(l.open) >= l.max:
			reason = "connection_limit"
		case l.perIP > 0 && addr.IsValid() && !inPrefixes(addr, l.trusted) && l.perIPOpen[addr] >= l.perIP:
			reason = "connection_limit_per_ip"
		}
		if reason != "" {
			l.mu.Unlock()
			l.metrics.reject(reason)
			go refuseConn(c, reason)
			continue
		}
		lc := &limitedConn{Conn: c, l: l, addr: addr}
		l.open[lc] = struct{}{}
		l.perIPOpen[addr]++
		l.metrics.conns.Set(float64(len(l.open)))
		l.mu.Unlock()
		return lc, nil
	}
}

// closeAll closes every open connection and returns how many there were.
func (l *connLimiter) closeAll() int {
	l.mu.Lock()
	conns := make([]*limitedConn, 0, len(l.open))
	for c := range l.open {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return len(conns)
}

// openConns is how many connections are open.
func (l *connLimiter) openConns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.open)
}

func (l *connLimiter) release(c *limitedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.open[c]; !ok {
		return
	}
	delete(l.open, c)
	if l.perIPOpen[c.addr]--; l.perIPOpen[c.addr] <= 0 {
		delete(l.perIPOpen, c.addr)
	}
	l.metrics.conns.Set(float64(len(l.open)))
}

// refuseConn answers a connection over the caps with 503 (the server is full) or 429 (this
// address has too many) and closes it.
func refuseConn(c net.Conn, reason string) {
	defer c.Close()
	status, title, detail := "503 Service Unavailable", "Service Unavailable", "the server has too many open connections; retry shortly"
	if reason == "connection_limit_per_ip" {
		status, title, detail = "429 Too Many Requests", "Too Many Requests", "too many open connections from your address; close some and retry"
	}
	id := newRequestID()
	body := `{"type":"about:blank","title":"` + title + `","status":` + status[:3] + `,"detail":"` + detail + `","request_id":"` + id + `"}`
	c.SetDeadline(time.Now().Add(time.Second))
	c.Write([]byte("HTTP/1.1 " + status + "\r\nContent-Type: application/problem+json\r\nX-Request-Id: " + id +
		"\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body))
}

// limitedConn is a connection the limiter counts until it is closed.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	addr netip.Addr
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() { c.l.release(c) })
	return c.Conn.Close()
}
