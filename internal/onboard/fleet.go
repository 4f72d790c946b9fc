// Package onboard keeps a fleet of source accounts in the repository: fleet.yaml holds the defaults every
// source stack of the fleet shares and one short entry per account; onboard renders each account's complete
// Pulumi.<stack>.yaml from it, adds the .github/stacks.yaml entry and the archive's sourceAccountIds entry,
// and checks the result with the program's own loader and offline plan before anything is written.
package onboard

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"log-archive/internal/stackconfig"
)

// FleetFile is the file the user keeps, relative to the project directory.
const FleetFile = "fleet.yaml"

// Fleet is fleet.yaml: the shared defaults and the accounts.
type Fleet struct {
	// DestinationStack is every generated stack's log-archive:destinationStack; its last segment names the
	// archive's stack file, whose sourceAccountIds onboard keeps in step.
	DestinationStack string `yaml:"destinationStack"`
	// Region is the aws:region of an account that names none.
	Region string `yaml:"region"`
	// LogBucket is the log bucket each account's stack creates (log-archive:logBuckets), its name a pattern.
	LogBucket *LogBucketTemplate `yaml:"logBucket,omitempty"`
	// Config holds any other log-archive: keys (storage class, alarms, tags, ...), copied into every
	// generated stack file as written here, placeholders filled in.
	Config yaml.Node `yaml:"config,omitempty"`
	// Accounts are the fleet's source accounts, one short entry each.
	Accounts []Account `yaml:"accounts"`

	doc  *yaml.Node // the parsed file, edited in place so comments and order survive
	raw  []byte
	path string
}

// LogBucketTemplate is one log bucket per account. {account}, {region} and {stack} in Name are replaced
// by the account's values: bucket names are global, so the pattern needs {account} or {stack}.
type LogBucketTemplate struct {
	Name       string   `yaml:"name"`
	Services   []string `yaml:"services"`
	TrailNames []string `yaml:"trailNames,omitempty"`
}

// Account is one source account of the fleet: what differs from the fleet's defaults.
type Account struct {
	Account string `yaml:"account" json:"account"`
	Stack   string `yaml:"stack" json:"stack"`
	Region  string `yaml:"region,omitempty" json:"region,omitempty"`
	// Services replaces the fleet's logBucket.services for this account.
	Services            []string `yaml:"services,omitempty" json:"services,omitempty"`
	GuardDutyDetectorID string   `yaml:"guardDutyDetectorId,omitempty" json:"guardDutyDetectorId,omitempty"`
	TrailNames          []string `yaml:"trailNames,omitempty" json:"trailNames,omitempty"`
	// Template is a stack file whose config this account copies instead of the fleet's logBucket and
	// config (its identity keys are set by onboard); placeholders are filled in as in fleet.yaml.
	Template string `yaml:"template,omitempty" json:"template,omitempty"`
	// Wave is "canary" for the accounts the canary wave deploys first; empty for the deploy-sources wave.
	Wave string `yaml:"wave,omitempty" json:"wave,omitempty"`
	// Name is the account's name in AWS Organizations, kept for the reader.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
}

// WaveCanary is the only wave an entry names; the rest deploy in the deploy-sources wave.
const WaveCanary = "canary"

// identityKeys are set by onboard for each account; neither fleet.yaml's config nor a template sets them.
var identityKeys = []string{stackconfig.KeyStackKind, stackconfig.KeyRegion, stackconfig.KeyAllowedAccountIDs,
	stackconfig.KeySourceAccountID, stackconfig.KeyDestinationStack}

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// A stack name is part of a file name and of Pulumi's stack name ([A-Za-z0-9_.-]).
	stackNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// LoadFleet reads fleet.yaml from dir and checks what only it can get wrong (the stack files' own keys are
// checked by the program when onboard plans them). Every problem is returned at once.
func LoadFleet(dir string) (*Fleet, error) {
	path := filepath.Join(dir, FleetFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file; create it with the fleet's defaults (docs/onboarding.md, \"fleet.yaml\"), then run onboard again: %w", FleetFile, err)
	}
	if err != nil {
		return nil, err
	}
	f := &Fleet{raw: raw, path: path, doc: &yaml.Node{}}
	if err := yaml.Unmarshal(raw, f.doc); err != nil {
		return nil, fmt.Errorf("%s: %w", FleetFile, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %w (the fields are destinationStack, region, logBucket, config, accounts)", FleetFile, err)
	}
	var problems Problems
	if f.DestinationStack == "" {
		problems.add(FleetFile, "destinationStack is not set", "name the archive's stack, e.g. organization/log-archive/destination")
	}
	if f.Region == "" {
		problems.add(FleetFile, "region is not set", "give the Region of an account whose entry names none, e.g. region: eu-west-1")
	}
	if f.LogBucket != nil && !strings.Contains(f.LogBucket.Name, "{account}") && !strings.Contains(f.LogBucket.Name, "{stack}") {
		problems.add(FleetFile, fmt.Sprintf("logBucket.name %q has neither {account} nor {stack}, so every account would name the same bucket (bucket names are global)", f.LogBucket.Name),
			"put {account} in the pattern, e.g. acme-{account}-logs-{region}")
	}
	if f.Config.Kind != 0 && f.Config.Kind != yaml.MappingNode {
		problems.add(FleetFile, "config is not a mapping", "write config as key: value lines, like a stack file's config")
	}
	for _, key := range configKeys(&f.Config) {
		if slices.Contains(identityKeys, key) {
			problems.add(FleetFile, fmt.Sprintf("config sets %s, which onboard sets per account", key), "remove it from config; use destinationStack, region or the account's entry")
		}
		if key == stackconfig.KeyLogBuckets && f.LogBucket != nil {
			problems.add(FleetFile, "config sets log-archive:logBuckets and logBucket is set too", "keep one of them")
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return f, nil
}

// configKeys are the keys of a config mapping node, in order.
func configKeys(n *yaml.Node) []string {
	var keys []string
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// DestinationName is the archive's stack name: the last segment of destinationStack.
func (f *Fleet) DestinationName() string { return stackconfig.DestinationStackName(f.DestinationStack) }

// Problem is one bad input: where it is, what is wrong, and the fix.
type Problem struct {
	Where, What, Fix string
}

// Problems is every bad input found; nothing is written while there is one.
type Problems []Problem

func (ps *Problems) add(where, what, fix string) { *ps = append(*ps, Problem{where, what, fix}) }

func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s); nothing was written:\n", len(ps))
	for _, p := range ps {
		if p.Fix == "" { // the message is the program's own, which names its fix
			fmt.Fprintf(&b, "  - %s: %s\n", p.Where, p.What)
			continue
		}
		fmt.Fprintf(&b, "  - %s: %s. Fix: %s\n", p.Where, p.What, p.Fix)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
