package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

type policyVersionJSON struct {
	ID          string     `json:"id"`
	Version     int        `json:"version"`
	Format      string     `json:"format"`
	Title       string     `json:"title"`
	Hash        string     `json:"hash"`
	CreatedAt   time.Time  `json:"created_at"`
	ActivatedAt *time.Time `json:"activated_at"`
	Active      bool       `json:"active"`
	Document    string     `json:"document,omitempty"`
}

func toPolicyVersionJSON(v marketplace.PolicyVersion) policyVersionJSON {
	return policyVersionJSON{ID: v.PolicyID, Version: v.Version, Format: v.Format, Title: v.Title, Hash: v.Hash,
		CreatedAt: v.CreatedAt, ActivatedAt: v.ActivatedAt, Active: v.Active, Document: string(v.Document)}
}

func handlePolicyList(m policyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		vs, err := m.Policies(c.UserContext())
		if err != nil {
			return err
		}
		out := make([]policyVersionJSON, len(vs))
		for i, v := range vs {
			out[i] = toPolicyVersionJSON(v)
		}
		return c.JSON(fiber.Map{"policies": out})
	}
}

func handlePolicyVersionGet(m policyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		n, err := versionParam(c)
		if err != nil {
			return err
		}
		v, err := m.PolicyVersion(c.UserContext(), strings.Clone(c.Params("id")), n)
		if err != nil {
			return err
		}
		return c.JSON(toPolicyVersionJSON(v))
	}
}

// handlePolicyCreate stores a policy or scenario document posted as YAML or JSON (the raw
// document is the body; ?activate=true makes it the version in force). Problems in the
// document come back with line and column.
func handlePolicyCreate(m policyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "activate"); err != nil {
			return err
		}
		activate := c.Query("activate") == "true"
		body := c.Body()
		if len(body) == 0 {
			return marketplace.Invalid("empty body", marketplace.FieldError{Field: "body", Message: "post the policy document (YAML or JSON) as the body"})
		}
		v, created, err := m.AddPolicy(c.UserContext(), marketplace.PolicyDoc{Name: "body", Data: append([]byte(nil), body...)}, activate)
		if err != nil {
			return err
		}
		status := fiber.StatusOK
		if created {
			status = fiber.StatusCreated
		}
		v.Document = nil
		return c.Status(status).JSON(toPolicyVersionJSON(v))
	}
}

func handlePolicyActivate(m policyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		n, err := versionParam(c)
		if err != nil {
			return err
		}
		id := strings.Clone(c.Params("id"))
		if err := m.ActivatePolicy(c.UserContext(), id, n); err != nil {
			return err
		}
		v, err := m.PolicyVersion(c.UserContext(), id, n)
		if err != nil {
			return err
		}
		v.Active, v.Document = true, nil
		return c.JSON(toPolicyVersionJSON(v))
	}
}

// versionParam reads the version number of the path: digits only ("+1", "01" and "1e0" are
// not version numbers), at least 1.
func versionParam(c *fiber.Ctx) (int, error) {
	bad := marketplace.Invalid("bad version", marketplace.FieldError{Field: "n", Message: "the version must be a whole number ≥ 1 written in digits, such as 3"})
	s := c.Params("n")
	if s == "" || len(s) > 9 || s[0] == '0' {
		return 0, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, bad
	}
	return n, nil
}
