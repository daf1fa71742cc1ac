package web

import (
	"bytes"
	"io"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
)

// sendJSON answers v as JSON, encoded straight into the response's pooled body buffer: the
// bytes c.JSON (the app's JSONEncoder, gojson.Marshal) writes, without the copy of the whole
// answer that Marshal returns. For the large answers of hot endpoints: a quote is 33 KB, a
// sixth of what answering one allocated.
func sendJSON(c *fiber.Ctx, v any) error {
	resp := c.Response()
	resp.ResetBody()
	if err := gojson.NewEncoder(withoutFinalNewline{resp.BodyWriter()}).Encode(v); err != nil {
		return err
	}
	resp.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}

// withoutFinalNewline drops the newline an Encoder ends its one document with, so that the
// answer is byte for byte what Marshal writes.
type withoutFinalNewline struct{ w io.Writer }

func (n withoutFinalNewline) Write(p []byte) (int, error) {
	if _, err := n.w.Write(bytes.TrimSuffix(p, []byte{'\n'})); err != nil {
		return 0, err
	}
	return len(p), nil
}
