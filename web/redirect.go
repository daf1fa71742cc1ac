package web

import (
	"net/url"
	"strings"
)

// localPath returns next when it is a path on this site, else "/", so that a redirect to a
// caller-supplied target (the language switch's ?next=) can never leave the site. Browsers
// strip tabs and line breaks from URLs and read "\" as "/", so "/\t/evil.example" and
// "/\evil.example" are "//evil.example" to them: any control character, space or backslash
// refuses the target, as does anything but a path starting with exactly one "/".
func localPath(next string) string {
	if len(next) == 0 || next[0] != '/' || len(next) > 1 && next[1] == '/' {
		return "/"
	}
	for _, r := range next {
		if r <= ' ' || r == '\\' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0xa0 || r >= 0x2000 && r <= 0x206f || r == 0xfeff {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
