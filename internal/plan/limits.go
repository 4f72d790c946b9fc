package plan

import (
	"encoding/json"
	"fmt"
	"sort"

	"log-archive/components"
	"log-archive/internal/catalog"
	"log-archive/internal/stackconfig"
)

// ArchiveLimit is how many listed source accounts an archive stack holds, for its own bucket name, role
// pin and options (R2.9, R3.5), measured by running the program: what `pulumi up` would accept.
type ArchiveLimit struct {
	Stack  string `json:"stack"`
	Listed int    `json:"listedAccounts"`
	// The stack's own mode (log-archive:sourcePrincipals) and its figures.
	SourcePrincipals string `json:"sourcePrincipals"`
	MaxListed        int    `json:"maxListedAccounts"`
	BytesPerAccount  int    `json:"bytesPerAccount"` // in the bucket policy, the one that binds
	// Modes has the same figures for every mode the stack can use, its own first: the fallback of
	// docs/public-access.md holds fewer accounts (R2.13), and a stack with an organization has one mode.
	Modes []ModeLimit `json:"modes"`
}

// ModeLimit is the limit of one log-archive:sourcePrincipals mode.
type ModeLimit struct {
	SourcePrincipals string `json:"sourcePrincipals"`
	MaxListed        int    `json:"maxListedAccounts"`
	BytesPerAccount  int    `json:"bytesPerAccount"`
}

// MaxListedAccounts plans the destination stack name in dir with 0 to 10,000 synthetic listed accounts and
// returns the largest count that plans, in the stack's own mode and in the other. docs/scale.md's
// figures are this function's output for the example stack (a test keeps them equal), and `plan limits`
// prints it for the user's own.
func MaxListedAccounts(dir, name string, program Program) (ArchiveLimit, error) {
	stack, err := LoadStack(dir, name)
	if err != nil {
		return ArchiveLimit{}, err
	}
	if stack.Config[stackconfig.KeyStackKind] != string(stackconfig.KindDestination) {
		return ArchiveLimit{}, fmt.Errorf("Pulumi.%s.yaml is not a destination stack", name)
	}
	var listed []string
	_ = json.Unmarshal([]byte(stack.Config[stackconfig.KeySourceAccountIDs]), &listed)
	if _, err := Run(stack, program, nil); err != nil {
		return ArchiveLimit{}, err
	}
	own := stack.Config[stackconfig.KeySourcePrincipals]
	if own == "" {
		own = string(components.SourceAccountsInCondition)
	}
	modes := []string{own}
	if stack.Config[stackconfig.KeySourceOrganization] == stackconfig.Declarations[stackconfig.KeySourceOrganization].ConfigValue() {
		for _, m := range components.SourcePrincipalModes {
			if string(m) != own {
				modes = append(modes, string(m))
			}
		}
	}
	limit := ArchiveLimit{Stack: name, Listed: len(listed), SourcePrincipals: own}
	for _, mode := range modes {
		limit.Modes = append(limit.Modes, modeLimit(stack, program, mode))
	}
	limit.MaxListed, limit.BytesPerAccount = limit.Modes[0].MaxListed, limit.Modes[0].BytesPerAccount
	return limit, nil
}

// modeLimit searches the largest count of listed accounts that plans in one mode.
func modeLimit(stack Stack, program Program, mode string) ModeLimit {
	with := func(n int) Stack {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("%012d", 900000000000+i)
		}
		b, _ := json.Marshal(ids)
		s := stack
		s.Config = map[string]string{}
		for k, v := range stack.Config {
			s.Config[k] = v
		}
		s.Config[stackconfig.KeySourceAccountIDs] = string(b)
		s.Config[stackconfig.KeySourcePrincipals] = mode
		return s
	}
	fits := func(n int) bool {
		_, err := Run(with(n), program, nil)
		return err == nil
	}
	maxListed := sort.Search(10001, func(n int) bool { return !fits(n) }) - 1
	bucketPolicy := func(n int) int {
		p, err := Run(with(n), program, nil)
		if err != nil {
			return 0
		}
		for _, pol := range p.Policies() {
			if pol.Type == string(catalog.S3BucketPolicy) {
				return pol.Bytes()
			}
		}
		return 0
	}
	return ModeLimit{SourcePrincipals: mode, MaxListed: maxListed, BytesPerAccount: bucketPolicy(11) - bucketPolicy(10)}
}
