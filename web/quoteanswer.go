package web

import (
	"bytes"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/tariff"
)

// The answer to a new quote is ~33 KB of JSON, most of it the explanation (~300 entries),
// which the quotes explained alike share (tariff.TrailMemo). Encoding it again for every quote
// was about a fifth of the server's CPU under the bench harness's quotes, so a shared
// explanation is encoded once: sendNewQuote encodes the rest of the answer with the
// explanation null and writes the kept encoding in its place. The explanation is the answer's
// last member (quoteJSON), and TestNewQuoteAnswerMatchesEncoding checks that the answer is
// byte for byte what encoding the whole of it writes.

// trailJSONs keeps the encoded explanations; maxTrailJSONs bounds it (1,024 of ~20 KB: at most
// ~20 MB; the bench harness's 3,000 kinds of quote share 586).
var trailJSONs = tariff.NewTrailMemo[[]byte](maxTrailJSONs)

const maxTrailJSONs = 1024

// explanationNull is how an encoded quoteJSON without its explanation ends.
var explanationNull = []byte(`"explanation":null}`)

// answerHeads are the buffers the rest of an answer is encoded into.
var answerHeads = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// sendNewQuote answers a quote just priced and stored (its trail is the engine's, shared when
// not noted).
func sendNewQuote(c *fiber.Ctx, pq marketplace.Quote, now time.Time) error {
	p := pq.Priced
	if p.TrailNoted || len(p.Trail) == 0 {
		return sendJSON(c, toQuoteJSON(pq, pq.Accelerator, now))
	}
	trail := trailJSONs.Get(p.Trail, func(t []tariff.Consideration) []byte {
		b, err := gojson.Marshal(toTrailJSON(t))
		if err != nil {
			return nil
		}
		return b
	})
	head := answerHeads.Get().(*bytes.Buffer)
	defer answerHeads.Put(head)
	head.Reset()
	out := toQuoteJSONWithoutTrail(pq, pq.Accelerator, now)
	if err := gojson.NewEncoder(head).Encode(out); err != nil {
		return err
	}
	rest, ok := bytes.CutSuffix(bytes.TrimSuffix(head.Bytes(), []byte{'\n'}), explanationNull)
	if trail == nil || !ok {
		return sendJSON(c, toQuoteJSON(pq, pq.Accelerator, now))
	}
	resp := c.Response()
	resp.ResetBody()
	body := resp.BodyWriter()
	body.Write(rest)
	body.Write(explanationNull[:len(explanationNull)-len("null}")])
	body.Write(trail)
	body.Write([]byte{'}'})
	resp.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}
