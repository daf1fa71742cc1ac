package web

import (
	"bytes"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/marketplace/jsonout"
	"corridor/tariff"
)

// A quote's answer lists in its explanation the measures that applied (explainApplied, the
// default): ~5 KB of JSON, encoded whole by hand (quote_json.go). With explain=all it is ~34 KB,
// most of it the whole explanation (~300 entries), which the quotes explained alike share
// (tariff.TrailMemo). Encoding it again for every quote was about a fifth of the server's CPU
// under the bench harness's quotes, so a shared explanation is encoded once: sendNewQuote
// encodes the rest of the answer with the explanation null and writes the kept encoding in its
// place. An explanation with notes of its own is a copy of a shared one with a few entries
// changed (tariff.Assessment.TrailBase): the kept encoding of the shared one is written with
// those entries encoded in their place. The explanation is the answer's last member
// (quoteJSON), and TestNewQuoteAnswerMatchesEncoding checks that the answer is byte for byte
// what encoding the whole of it writes.

// encodedTrail is the JSON of an explanation and where each entry ends in it.
type encodedTrail struct {
	json []byte
	ends []int // ends[i]: the offset just past entry i's object
}

// start is the offset of entry i's object.
func (e *encodedTrail) start(i int) int {
	if i == 0 {
		return 1 // after [
	}
	return e.ends[i-1] + 1 // after the comma
}

// encodeTrailJSON is the JSON of trail, as encoding []trailJSON writes it, with its entries' ends.
func encodeTrailJSON(trail []tariff.Consideration) *encodedTrail {
	e := &encodedTrail{ends: make([]int, len(trail))}
	w := jsonout.Writer{B: append(make([]byte, 0, 64*len(trail)), '[')}
	for i, c := range trail {
		w.Element()
		entry := toTrailEntry(c)
		entry.appendJSON(&w)
		e.ends[i] = len(w.B)
	}
	e.json = append(w.B, ']')
	return e
}

// trailJSONs keeps the encoded explanations; maxTrailJSONs bounds it (1,024 of ~20 KB: at most
// ~20 MB; the bench harness's 3,000 kinds of quote share 586).
var trailJSONs = tariff.NewTrailMemo[*encodedTrail](maxTrailJSONs)

const maxTrailJSONs = 1024

// explanationNull is how an encoded quoteJSON without its explanation ends.
var explanationNull = []byte(`"explanation":null}`)

// answerHeads are the buffers the rest of an answer is encoded into.
var answerHeads = sync.Pool{New: func() any { return new(jsonout.Writer) }}

// sendQuoteJSON answers q, encoded by hand into a pooled buffer and copied into the response.
func sendQuoteJSON(c *fiber.Ctx, q *quoteJSON) error {
	w := answerHeads.Get().(*jsonout.Writer)
	defer answerHeads.Put(w)
	*w = jsonout.Writer{B: w.B[:0]}
	q.appendJSON(w)
	if w.Err != nil {
		return sendJSON(c, q)
	}
	resp := c.Response()
	resp.SetBody(w.B)
	resp.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}

// sendNewQuote answers a quote just priced and stored, its explanation as scope says (its
// trail is the engine's: shared, or noted with its base).
func sendNewQuote(c *fiber.Ctx, pq marketplace.Quote, now time.Time, scope explainScope) error {
	if scope == explainApplied {
		q := toQuoteJSON(pq, pq.Accelerator, now, scope)
		return sendQuoteJSON(c, &q)
	}
	p := pq.Priced
	shared := p.Trail
	if p.TrailNoted {
		shared = p.TrailBase
	}
	if len(shared) == 0 || len(shared) != len(p.Trail) {
		q := toQuoteJSON(pq, pq.Accelerator, now, scope)
		return sendQuoteJSON(c, &q)
	}
	trail := trailJSONs.Get(shared, encodeTrailJSON)
	head := answerHeads.Get().(*jsonout.Writer)
	defer answerHeads.Put(head)
	*head = jsonout.Writer{B: head.B[:0]}
	q := toQuoteJSONWithoutTrail(pq, pq.Accelerator, now)
	q.appendJSON(head) // by hand (quote_json.go)
	rest, ok := bytes.CutSuffix(head.B, explanationNull)
	if !ok || head.Err != nil {
		return sendJSON(c, toQuoteJSON(pq, pq.Accelerator, now, scope))
	}
	resp := c.Response()
	resp.ResetBody()
	body := resp.BodyWriter()
	body.Write(rest)
	body.Write(explanationNull[:len(explanationNull)-len("null}")])
	from := 0 // what of the shared explanation's JSON is written
	if p.TrailNoted {
		for i, entry := range p.Trail {
			if entry == shared[i] {
				continue
			}
			var note jsonout.Writer
			noteJSON := toTrailEntry(entry)
			noteJSON.appendJSON(&note)
			body.Write(trail.json[from:trail.start(i)])
			body.Write(note.B)
			from = trail.ends[i]
		}
	}
	body.Write(trail.json[from:])
	body.Write([]byte{'}'})
	resp.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}
