package web

import (
	"io"
	"net/http/httptest"
	"testing"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
)

// TestSendJSONWritesWhatMarshalWrites: sendJSON's answer is byte for byte c.JSON's (gojson.Marshal,
// no final newline), with the JSON content type and the status set before it.
func TestSendJSONWritesWhatMarshalWrites(t *testing.T) {
	v := map[string]any{"html": "<a&b>", "lines": []string{"x\n", "é"}, "n": 1}
	want, err := gojson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error { return sendJSON(c.Status(fiber.StatusCreated), v) })
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != string(want) || resp.StatusCode != fiber.StatusCreated || resp.Header.Get("Content-Type") != fiber.MIMEApplicationJSON {
		t.Errorf("%d %q %q, want 201 %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body, fiber.MIMEApplicationJSON, want)
	}
}
