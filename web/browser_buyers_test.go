package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserBuyerAccountFlow drives the buyer's journey in Chromium: open a buyer account (the
// key is shown once and the browser is signed in), ask for a quote on an offer page that the
// account filled in, accept it, see the order confirmed, the quote accepted with a link to its
// order and the order in /orders, then cancel it with a reason — in English, and the orders
// page in Chinese too. It saves screenshots of each step.
func TestBrowserBuyerAccountFlow(t *testing.T) {
	ctx, dialogs := browser(t)
	base, _ := liveServer(t)

	// Sign up from the sign-in link of the header.
	run(t, ctx, "market", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("signin-link")),
		clickAndLoad("#signin-link"), chromedp.WaitVisible(chromedp.ID("signin-form")),
		clickAndLoad("#to-signup"), chromedp.WaitVisible(chromedp.ID("signup-form")),
		chromedp.SetValue(chromedp.ID("s-org"), "Kraftwerk Compute GmbH"), chromedp.SetValue(chromedp.ID("s-country"), "DE"),
		chromedp.Click(chromedp.CSS(`input[name="type"][value="business"]`)), chromedp.SetValue(chromedp.ID("s-vat"), "DE 123 456 789"))
	screenshots(t, ctx, "signup")
	run(t, ctx, "create the account", clickAndLoad("#signup"), chromedp.WaitVisible(chromedp.ID("buyer-key")))
	if key := textOf(t, ctx, "#buyer-key"); !strings.HasPrefix(key, "cbk_") || len(key) != len("cbk_")+16+1+64 {
		t.Errorf("buyer key shown: %q", key)
	}
	if who := textOf(t, ctx, "#account-link"); who != "Kraftwerk Compute GmbH" {
		t.Errorf("signed in as %q", who)
	}
	screenshots(t, ctx, "buyer-key")

	// The quote form is filled in from the account; the reservation starts a week ahead, so the
	// order can still be cancelled free of charge.
	run(t, ctx, "offer page", chromedp.Navigate(base+"/offers/demo-offer-001"), chromedp.WaitVisible(chromedp.ID("quote-form")))
	if vat, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("q-vat"))); err != nil || vat != "DE123456789" {
		t.Errorf("the quote form's VAT id %q (%v), want the account's", vat, err)
	}
	if terms := textOf(t, ctx, "#offer-cancellation"); !strings.Contains(terms, "24 hours") {
		t.Errorf("offer's cancellation terms %q", terms)
	}
	run(t, ctx, "quote", chromedp.SetValue(chromedp.ID("q-gpus"), "8"), chromedp.SetValue(chromedp.ID("q-hours"), "72"),
		chromedp.SetValue(chromedp.ID("q-start"), "2026-12-05"), clickAndLoad("#get-quote"), chromedp.WaitVisible(chromedp.ID("accept")))
	quoteURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "accept", clickAndLoad("#accept"), chromedp.WaitVisible(chromedp.ID("order-id")))
	orderID := textOf(t, ctx, "#order-id")
	if !strings.HasPrefix(orderID, "ord_") || !strings.Contains(textOf(t, ctx, "#order-status"), "Confirmed") {
		t.Errorf("order %q, status %q", orderID, textOf(t, ctx, "#order-status"))
	}
	if buyer := textOf(t, ctx, "#order-buyer"); !strings.Contains(buyer, "Kraftwerk Compute GmbH") || !strings.Contains(buyer, "DE123456789") {
		t.Errorf("order's buyer %q", buyer)
	}
	screenshots(t, ctx, "order-confirmed")

	// The quote says it was accepted and links the order; no accept button any more.
	run(t, ctx, "quote again", chromedp.Navigate(quoteURL), chromedp.WaitVisible(chromedp.ID("quote-accepted")))
	if link := textOf(t, ctx, "#quote-order"); !strings.Contains(link, orderID) {
		t.Errorf("the accepted quote links %q, want %s", link, orderID)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#accept").length`)); err != nil || n != 0 {
		t.Errorf("the accepted quote still has %d accept buttons (%v)", n, err)
	}

	// The order is in /orders, reached from the header.
	run(t, ctx, "orders", clickAndLoad("#nav-orders"), chromedp.WaitVisible(chromedp.ID("orders")))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".order-row")].map(r => r.dataset.order + " " + r.innerText)`))
	if err != nil || len(rows) != 1 || !strings.HasPrefix(rows[0], orderID) || !strings.Contains(rows[0], "Confirmed") {
		t.Fatalf("orders page rows %q (%v)", rows, err)
	}
	screenshots(t, ctx, "orders")

	// Cancel it with a reason.
	run(t, ctx, "open the order", clickAndLoad(".order-row .order-link"), chromedp.WaitVisible(chromedp.ID("cancel-form")),
		chromedp.SetValue(chromedp.ID("c-reason"), "project postponed"), clickAndLoad("#cancel-order"), chromedp.WaitVisible(chromedp.ID("order-cancelled")))
	if status := textOf(t, ctx, "#order-status"); !strings.Contains(status, "Cancelled") {
		t.Errorf("status after cancelling %q", status)
	}
	if rec := textOf(t, ctx, "#order-cancelled"); !strings.Contains(rec, "project postponed") {
		t.Errorf("cancellation record %q", rec)
	}
	screenshots(t, ctx, "order-cancelled")
	run(t, ctx, "orders after cancelling", chromedp.Navigate(base+"/orders"), chromedp.WaitVisible(chromedp.ID("orders")))
	if row := textOf(t, ctx, ".order-row"); !strings.Contains(row, "Cancelled") {
		t.Errorf("orders page after cancelling: %q", row)
	}
	run(t, ctx, "orders in Chinese", clickAndLoad("#lang-zh"), chromedp.WaitVisible(chromedp.ID("orders")))
	if row := textOf(t, ctx, ".order-row"); !strings.Contains(row, "已取消") {
		t.Errorf("Chinese orders page: %q", row)
	}
	screenshots(t, ctx, "orders-zh")

	// Signing out: /orders asks to sign in again.
	run(t, ctx, "sign out", clickAndLoad("#signout"), chromedp.WaitVisible(chromedp.ID("signin-link")),
		chromedp.Navigate(base+"/orders"), chromedp.WaitVisible(chromedp.ID("signin-form")))
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
}
