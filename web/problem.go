package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// problem is an RFC 9457 problem detail with Corridor's `errors` extension naming fields.
type problem struct {
	Type      string                   `json:"type"`
	Title     string                   `json:"title"`
	Status    int                      `json:"status"`
	Detail    string                   `json:"detail,omitempty"`
	Instance  string                   `json:"instance,omitempty"`
	RequestID string                   `json:"request_id,omitempty"`
	Reason    string                   `json:"no_quote_reason,omitempty"`
	Errors    []marketplace.FieldError `json:"errors,omitempty"`
	Extra     map[string]any           `json:"extra,omitempty"`
}

// statusOf is the one place a domain error code becomes an HTTP status.
func statusOf(code marketplace.Code) int {
	switch code {
	case marketplace.CodeInvalid:
		return http.StatusBadRequest
	case marketplace.CodeUnauthorized:
		return http.StatusUnauthorized
	case marketplace.CodeForbidden:
		return http.StatusForbidden
	case marketplace.CodeNotFound:
		return http.StatusNotFound
	case marketplace.CodeConflict:
		return http.StatusConflict
	case marketplace.CodeGone:
		return http.StatusGone
	case marketplace.CodePrecondition:
		return http.StatusPreconditionFailed
	case marketplace.CodeUnquotable, marketplace.CodeIdempotency:
		return http.StatusUnprocessableEntity
	case marketplace.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case marketplace.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorHandler renders every error as application/problem+json. Domain errors keep their
// message and fields; Fiber's own errors (404 route, 413 body, 405) keep their status; anything
// else is logged with the request id and answered with a 500 that leaks nothing.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := problem{Instance: c.Path()}
		if id, ok := c.Locals("request_id").(string); ok {
			p.RequestID = id
		} else { // refused by the HTTP server before any middleware ran (e.g. headers too large)
			p.RequestID = newRequestID()
			c.Set(fiber.HeaderXRequestID, p.RequestID)
		}
		var de *marketplace.Error
		var fe *fiber.Error
		var hp *fiberProblem
		switch {
		case errors.As(err, &hp):
			p.Status = hp.status
			p.Title = http.StatusText(hp.status)
			p.Type = "about:blank"
			p.Detail = hp.detail
			p.Errors = hp.fields
			for k, v := range hp.headers {
				c.Set(k, v)
			}
		case errors.As(err, &de):
			p.Status = statusOf(de.Code)
			p.Title = http.StatusText(p.Status)
			p.Type = "https://corridor.example/problems/" + string(de.Code)
			p.Detail = de.Message
			p.Errors = de.Fields
			p.Reason = de.Reason
			p.Extra = de.Extra
			if p.Status >= 500 {
				log.Error("request failed", "request_id", p.RequestID, "path", c.Path(), "err", err)
			}
		case errors.As(err, &fe):
			p.Status = fe.Code
			p.Title = http.StatusText(fe.Code)
			p.Type = "about:blank"
			p.Detail = fe.Message
			if fe.Code == fiber.StatusRequestEntityTooLarge {
				p.Errors = []marketplace.FieldError{{Field: "body", Message: "request body is larger than 4 MiB"}}
			}
		default:
			log.Error("internal error", "request_id", p.RequestID, "path", c.Path(), "err", err)
			p.Status = http.StatusInternalServerError
			p.Title = http.StatusText(p.Status)
			p.Type = "about:blank"
			p.Detail = "internal error; quote the request id when reporting it"
		}
		if p.Title == "" {
			p.Title = "Error"
		}
		return c.Status(p.Status).JSON(p, "application/problem+json")
	}
}
