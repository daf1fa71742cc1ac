package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// documentEndpoints take whole documents and get Options.BatchBodyLimit; every other request
// gets Options.BodyLimit.
var documentEndpoints = []string{"/api/v1/offers/batch", "/api/v1/policies", "/api/v1/effects", "/whatif"}

// limitBodies checks a request's body before anything reads it: the declared Content-Length
// must be within the endpoint's limit (else 413, and the connection is closed rather than
// drained), the length must be declared (a chunked body is 411: its size is unknown until it
// has been read), and the body must not be compressed (415: a few kilobytes of gzip can
// inflate to gigabytes). Bodies stream in (StreamRequestBody), so a request's memory is its
// read buffer until a handler reads a body already known to be small enough.
func limitBodies(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Request().Header
		if enc := strings.TrimSpace(string(h.Peek(fiber.HeaderContentEncoding))); enc != "" && !strings.EqualFold(enc, "identity") {
			c.Response().SetConnectionClose()
			return &fiberProblem{status: fiber.StatusUnsupportedMediaType, detail: "request bodies must not be compressed",
				fields: []marketplace.FieldError{{Field: "Content-Encoding", Message: "must be absent (or identity), not " + quoteShort(enc)}}}
		}
		limit := o.BodyLimit
		for _, p := range documentEndpoints {
			if strings.EqualFold(strings.TrimSuffix(c.Path(), "/"), p) {
				limit = o.BatchBodyLimit
			}
		}
		if strings.EqualFold(strings.TrimSuffix(c.Path(), "/"), "/api/v1/studies") {
			limit = max(limit, studyBodyLimit) // a basket file inline: api_studies.go
		}
		switch n := h.ContentLength(); {
		case n == -1: // Transfer-Encoding: chunked
			c.Response().SetConnectionClose()
			return &fiberProblem{status: fiber.StatusLengthRequired, detail: "send the body with a Content-Length",
				fields: []marketplace.FieldError{{Field: "Content-Length", Message: "is required; chunked request bodies are not accepted"}}}
		case n > limit:
			c.Response().SetConnectionClose()
			return &fiberProblem{status: fiber.StatusRequestEntityTooLarge, detail: fmt.Sprintf("the request body is %d bytes; the limit here is %d", n, limit),
				fields: []marketplace.FieldError{{Field: "body", Message: fmt.Sprintf("request body is larger than %s", byteSize(limit))}}}
		case n > 0 && n <= 8<<10:
			// fasthttp has already buffered a body this small: take it now, so a handler that
			// never reads it does not leave it on the connection.
			c.Request().Body()
		}
		err := c.Next()
		if c.Request().IsBodyStream() {
			// A larger body the handler did not read is still on the wire: do not reuse the
			// connection for another request.
			c.Response().SetConnectionClose()
		}
		return err
	}
}

// byteSize writes a limit the way people read it: 64 KiB, 4 MiB.
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// fiberProblem is an HTTP-level refusal (a status without a domain code) with the fields it
// names; the error handler renders it like any problem.
type fiberProblem struct {
	status  int
	detail  string
	fields  []marketplace.FieldError
	headers map[string]string
}

func (p *fiberProblem) Error() string { return p.detail }
