package cistacks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"log-archive/internal/stackconfig"
)

// MaxMatrixJobs is GitHub's limit: a matrix generates at most 256 jobs per workflow run, and a larger one
// fails the run (GH1).
const MaxMatrixJobs = 256

// DefaultMaxParallel is the workflows' strategy.max-parallel (GH2): how many shard jobs run at once. Each
// shard runs `fleet rollout --concurrency 4`, so at most 80 stacks are in flight, well inside the AWS
// and Pulumi Cloud API rates a fleet deploy meets; raise it in the workflows for a faster fleet.
const DefaultMaxParallel = 20

// Waves in deploy order: the archive, the canary sources, the remaining sources. Each is a GitHub
// environment with required reviewers.
const (
	WaveDestination = "destination"
	WaveSources     = "sources"
)

// Environment is the GitHub environment a wave deploys in.
func Environment(wave string) string { return "deploy-" + wave }

// DeployEnvironments are the environments a deploy needs, in wave order.
var DeployEnvironments = []string{Environment(WaveDestination), Environment(WaveCanary), Environment(WaveSources)}

// WaveOf is the deploy wave of a stack: the archive first, then the canary sources, then the rest.
func WaveOf(s Stack) string {
	switch {
	case s.Kind == string(stackconfig.KindDestination):
		return WaveDestination
	case s.Wave == WaveCanary:
		return WaveCanary
	}
	return WaveSources
}

// Shard is one matrix job: whole accounts' stacks, never part of one, so an account's stacks run in one
// job. A shard with one account also names that account's Region and roles, for a job that assumes it
// directly (the archive); a job with several accounts has `fleet rollout --assume-role` give each
// stack's Pulumi process only its own account's role.
type Shard struct {
	Shard       string   `json:"shard"`
	Wave        string   `json:"wave,omitempty"`
	Environment string   `json:"environment,omitempty"`
	Stacks      string   `json:"stacks"` // comma-separated, as `fleet rollout --stacks` takes them
	Count       int      `json:"count"`
	Accounts    []string `json:"accounts"`
	Account     string   `json:"account,omitempty"`
	Region      string   `json:"region,omitempty"`
	Role        string   `json:"role,omitempty"`
	PreviewRole string   `json:"previewRole,omitempty"`
	// Why says, for each stack of the shard, why it was selected.
	Why []string `json:"why"`
}

// ShardMatrix is a GitHub Actions matrix of shards: {"include": [...]}.
type ShardMatrix struct {
	Include []Shard `json:"include"`
}

// Shards packs the selected stacks into at most maxJobs shards, each holding whole
// accounts: the accounts, largest first, go to the shard with the fewest stacks so far, so the shards'
// lengths differ by at most one account's stacks. Shards are numbered in a stable order: the same
// selection gives the same matrix.
// prefix names the shards (prefix-001, ...); wave, when not empty, is the deploy wave all of them belong
// to, which names their GitHub environment.
func Shards(selected []Selected, prefix, wave string, maxJobs int) ShardMatrix {
	if maxJobs <= 0 || maxJobs > MaxMatrixJobs {
		maxJobs = MaxMatrixJobs
	}
	byAccount := map[string][]Selected{}
	var accounts []string
	for _, s := range selected {
		if _, ok := byAccount[s.Account]; !ok {
			accounts = append(accounts, s.Account)
		}
		byAccount[s.Account] = append(byAccount[s.Account], s)
	}
	slices.SortFunc(accounts, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(byAccount[b]), len(byAccount[a])), cmp.Compare(a, b))
	})
	bins := make([][]string, min(maxJobs, len(accounts)))
	sizes := make([]int, len(bins))
	for _, account := range accounts {
		i := 0
		for j := range sizes {
			if sizes[j] < sizes[i] {
				i = j
			}
		}
		bins[i] = append(bins[i], account)
		sizes[i] += len(byAccount[account])
	}
	m := ShardMatrix{Include: []Shard{}}
	for i, bin := range bins {
		slices.Sort(bin)
		sh := Shard{Shard: fmt.Sprintf("%s-%03d", prefix, i+1), Wave: wave, Accounts: bin}
		if wave != "" {
			sh.Environment = Environment(wave)
		}
		var names []string
		for _, account := range bin {
			for _, s := range byAccount[account] {
				names = append(names, s.Stack.Stack)
				sh.Why = append(sh.Why, s.Stack.Stack+": "+s.Reason)
			}
		}
		sh.Stacks, sh.Count = strings.Join(names, ","), len(names)
		if len(bin) == 1 {
			first := byAccount[bin[0]][0].Stack
			sh.Account, sh.Region, sh.Role, sh.PreviewRole = first.Account, first.Region, first.Role, first.PreviewRole
		}
		m.Include = append(m.Include, sh)
	}
	return m
}
