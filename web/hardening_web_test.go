package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLanguageSwitchNeverRedirectsOffSite sends the language switch every off-site trick a
// browser would turn into another origin: protocol-relative paths, backslashes, tabs and line
// breaks (which browsers strip, so "/\t/evil" becomes "//evil"), schemes and encodings of all
// of these. Each must land on "/"; ordinary local paths are kept.
func TestLanguageSwitchNeverRedirectsOffSite(t *testing.T) {
	app, _, _ := seededApp(t)
	// A real socket: what matters is the Location header as a browser receives it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	location := func(rawQuery string) (int, string) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /lang/zh?%s HTTP/1.1\r\nHost: corridor\r\nConnection: close\r\n\r\n", rawQuery)
		raw, _ := io.ReadAll(conn)
		status, loc := 0, "(none)"
		for i, line := range strings.Split(string(raw), "\r\n") {
			if i == 0 && len(line) >= 12 {
				status, _ = strconv.Atoi(line[9:12])
			}
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Location") {
				loc = strings.TrimPrefix(v, " ")
			}
			if line == "" {
				break
			}
		}
		return status, loc
	}
	offSite := []string{ // raw query values, sent as written
		"/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%0d%0a/evil.example", "%2F%2Fevil.example",
		"//evil.example", "/%2Fevil.example", "/%5Cevil.example", "%5C%5Cevil.example", "%09//evil.example",
		"%20//evil.example", "https://evil.example/", "https:evil.example", "javascript:alert(1)", "data:text/html,x",
		"%00//evil.example", "/%00/evil.example", "/%7F/evil.example", "evil.example", "", "///evil.example",
		"/%E2%80%AE/evil.example", "%C2%A0//evil.example", "/%C2%85/evil.example",
	}
	for _, raw := range offSite {
		if status, loc := location("next=" + raw); status != http.StatusSeeOther || loc != "/" {
			t.Errorf("next=%s: %d redirects to %q, want /", raw, status, loc)
		}
	}
	for _, local := range []string{"/offers/demo-offer-001?x=1", "/compare?gpus=8&hours=720", "/", "/a/b%2Fc"} {
		if _, loc := location("next=" + url.QueryEscape(local)); loc != local {
			t.Errorf("next=%s redirects to %q", local, loc)
		}
	}
}

// TestCSRFTokenNotFromQuery checks that the CSRF token counts only from the form body or the
// X-CSRF-Token header: a token in the URL leaks through logs and Referer headers.
func TestCSRFTokenNotFromQuery(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/offers/demo-offer-001").Body)
	need := url.Values{"accelerator": {"h100-sxm"}, "gpus": {"8"}, "hours": {"720"}, "buyer.country": {"DE"}, "buyer.type": {"business"}, "currency": {"EUR"}}
	if r := pc.post("/compare?_csrf="+url.QueryEscape(tok), need); r.Status != http.StatusForbidden {
		t.Errorf("token in the query string: %d, want 403", r.Status)
	}
	withField := url.Values{"_csrf": {tok}}
	for k, v := range need {
		withField[k] = v
	}
	if r := pc.post("/compare", withField); r.Status != http.StatusOK {
		t.Errorf("token in the form body: %d, want 200", r.Status)
	}
	req := httptest.NewRequest("POST", "/compare", strings.NewReader(need.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", tok)
	for k, v := range pc.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Errorf("token in the X-CSRF-Token header: %d, want 200", res.StatusCode)
	}
}

// TestHSTS checks Strict-Transport-Security over real sockets: sent over HTTPS, or when a
// trusted proxy says the request came over HTTPS; never on plain HTTP, nor when a client
// outside the trusted proxies claims HTTPS.
func TestHSTS(t *testing.T) {
	_, svc, _ := seededApp(t)
	serve := func(opts Options, useTLS bool) *http.Client {
		app := NewServer(Deps{Market: svc, Options: opts})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		client := &http.Client{}
		if useTLS {
			cert := selfSignedCert(t)
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
			base = "https://" + strings.TrimPrefix(base, "http://")
			client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
		}
		go app.Listener(ln)
		t.Cleanup(func() { app.Shutdown() })
		client.Transport = baseURL{base, client.Transport}
		return client
	}
	hsts := func(c *http.Client, proto string) string {
		req, _ := http.NewRequest("GET", "/healthz", nil)
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Strict-Transport-Security")
	}
	plain := serve(Options{}, false)
	if got := hsts(plain, ""); got != "" {
		t.Errorf("plain HTTP sent HSTS %q", got)
	}
	if got := hsts(plain, "https"); got != "" {
		t.Errorf("an untrusted X-Forwarded-Proto earned HSTS %q", got)
	}
	if got := hsts(serve(Options{}, true), ""); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("over HTTPS: HSTS %q", got)
	}
	proxied := serve(Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, false)
	if got := hsts(proxied, "https"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("behind a trusted HTTPS proxy: HSTS %q", got)
	}
	if got := hsts(proxied, "http"); got != "" {
		t.Errorf("a trusted proxy that says http earned HSTS %q", got)
	}
	elsewhere := serve(Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, false)
	if got := hsts(elsewhere, "https"); got != "" {
		t.Errorf("a client outside the trusted proxies earned HSTS %q", got)
	}
}

// baseURL is a RoundTripper that sends relative requests to one server.
type baseURL struct {
	base string
	next http.RoundTripper
}

func (b baseURL) RoundTrip(r *http.Request) (*http.Response, error) {
	u, err := url.Parse(b.base + r.URL.RequestURI())
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.URL, r.Host = u, u.Host
	next := b.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// selfSignedCert makes a certificate for 127.0.0.1, valid for an hour.
func selfSignedCert(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
