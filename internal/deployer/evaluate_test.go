package deployer

import (
	"fmt"
	"slices"
	"strings"

	"log-archive/internal/policy"
)

// A small IAM policy evaluator over the generated documents, for the policy tests: an explicit Deny in
// any statement wins, otherwise an Allow must match; a statement matches when an action pattern and a
// resource pattern match (IAM's * and ? wildcards, actions case-insensitive) and every condition holds. It
// knows exactly the condition operators the generated documents use, and refuses any other, so a new
// operator cannot pass unevaluated.

// request is one API call: its IAM action, the resource ARN it is authorised on, and its request context
// (condition key -> values; multivalued keys such as aws:TagKeys and kms:ResourceAliases hold several).
type request struct {
	action, resource string
	context          map[string][]string
}

func (r request) String() string {
	return fmt.Sprintf("%s on %s with %v", r.action, r.resource, r.context)
}

// evaluate reports whether the statements allow r.
func evaluate(statements []policy.Statement, r request) (bool, error) {
	allowed := false
	for _, st := range statements {
		ok, err := matches(st, r)
		if err != nil {
			return false, fmt.Errorf("statement %s: %w", st.Sid, err)
		}
		if !ok {
			continue
		}
		if st.Effect == "Deny" {
			return false, nil
		}
		allowed = true
	}
	return allowed, nil
}

func matches(st policy.Statement, r request) (bool, error) {
	if !slices.ContainsFunc(st.Action, func(a string) bool { return globMatch(a, r.action, true) }) ||
		!slices.ContainsFunc(st.Resource, func(p string) bool { return globMatch(p, r.resource, false) }) {
		return false, nil
	}
	for op, keys := range st.Condition {
		for key, want := range keys {
			ok, err := holds(op, want, r.context[key])
			if err != nil || !ok {
				return false, err
			}
		}
	}
	return true, nil
}

// holds is one condition: operator, the policy's values, the request's values (nil when the key is absent).
func holds(op string, want, got []string) (bool, error) {
	any := func(match func(w, g string) bool) bool {
		for _, g := range got {
			for _, w := range want {
				if match(w, g) {
					return true
				}
			}
		}
		return false
	}
	equal := func(w, g string) bool { return w == g }
	like := func(w, g string) bool { return globMatch(w, g, false) }
	switch op {
	case "StringEquals", "Bool":
		return any(equal), nil
	case "StringLike", "ArnLike":
		return any(like), nil
	case "StringNotEquals":
		// A negated operator holds when the key is absent.
		return !any(equal), nil
	case "ForAnyValue:StringEquals":
		return any(equal), nil
	case "ForAllValues:StringEquals":
		// Holds for an absent key too: every one of no values is in the set.
		for _, g := range got {
			if !slices.Contains(want, g) {
				return false, nil
			}
		}
		return true, nil
	}
	return false, fmt.Errorf("condition operator %s: the test evaluator does not know it", op)
}

// satisfying is a request context that meets every condition of st (its own values), so that a check can
// change one key alone and see that key decide.
func satisfying(st policy.Statement) map[string][]string {
	ctx := map[string][]string{}
	for op, keys := range st.Condition {
		if strings.Contains(op, "Not") {
			continue
		}
		for key, want := range keys {
			ctx[key] = slices.Clone(want)
			if !strings.HasPrefix(op, "ForAllValues") {
				ctx[key] = want[:1]
			}
		}
	}
	return ctx
}

func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

func withRegion(arn, region string) string {
	parts := strings.SplitN(arn, ":", 6)
	parts[3] = region
	return strings.Join(parts, ":")
}
