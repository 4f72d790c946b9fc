package plan

import (
	"encoding/json"
	"fmt"
	"sort"

	"log-archive/internal/stackconfig"
)

// ArchiveLimit is how many listed source accounts an archive stack holds, for its own bucket name, role
// pin and options (R2.9, R3.5), measured by running the program: what `pulumi up` would accept.
type ArchiveLimit struct {
	Stack           string `json:"stack"`
	Listed          int    `json:"listedAccounts"`
	MaxListed       int    `json:"maxListedAccounts"`
	BytesPerAccount int    `json:"bytesPerAccount"` // in the bucket policy, the one that binds
}

// MaxListedAccounts plans the destination stack name in dir with 0 to 10,000 synthetic listed accounts and
// returns the largest count that plans. The README's scale figures are this function's output for the
// example stack (a test keeps them equal), and `plan limits` prints it for the user's own.
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
			if pol.Type == "aws:s3/bucketPolicy:BucketPolicy" {
				return pol.Bytes()
			}
		}
		return 0
	}
	return ArchiveLimit{Stack: name, Listed: len(listed), MaxListed: maxListed, BytesPerAccount: bucketPolicy(11) - bucketPolicy(10)}, nil
}
