package web

import "sync"

// recorded holds the responses of the handler tests, checked against the OpenAPI document.
var recorded struct {
	sync.Mutex
	list []recordedResponse
}

type recordedResponse struct {
	method, path string
	status       int
	ctype        string
	body         []byte
}

func recordResponse(method, path string, status int, ctype string, body []byte) {
	recorded.Lock()
	defer recorded.Unlock()
	if len(recorded.list) < 5000 {
		recorded.list = append(recorded.list, recordedResponse{method, path, status, ctype, body})
	}
}
