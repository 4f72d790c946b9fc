// Package cistacks reads .github/stacks.yaml, which maps each stack to the AWS account, Region and IAM
// roles the workflows use for it (a deploy role, and a read-only role for pull-request previews), and checks
// it against the stack files so a workflow never assumes a role in one account to deploy a stack written
// for another.
package cistacks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"gopkg.in/yaml.v3"

	"log-archive/internal/plan"
	"log-archive/internal/stackconfig"
)

// File is the mapping's path, relative to the project directory.
const File = ".github/stacks.yaml"

// Stack is one entry of the workflow matrix.
type Stack struct {
	Stack   string `json:"stack"`
	Kind    string `json:"kind"`
	Account string `json:"account" yaml:"account"`
	Region  string `json:"region" yaml:"region"`
	// Role deploys: the deploy workflow assumes it in the stack's GitHub environment.
	Role string `json:"role" yaml:"role"`
	// PreviewRole is read-only: pull-request previews assume it, before any review.
	PreviewRole string `json:"previewRole" yaml:"previewRole"`
	// Wave is "canary" for a source stack deployed in the canary wave, after the archive and before the
	// rest (GitHub environment deploy-canary); empty for the rest (deploy-sources).
	Wave string `json:"wave,omitempty" yaml:"wave,omitempty"`
	// DestinationStack is a source stack's log-archive:destinationStack, read from its stack file: the
	// archive whose contract outputs the source reads.
	DestinationStack string `json:"destinationStack,omitempty" yaml:"-"`
}

// WaveCanary is the one value of a stacks.yaml entry's optional wave.
const WaveCanary = "canary"

// Kinds are the values of log-archive:stackKind, and of `plan matrix --kind`.
var Kinds = []string{string(stackconfig.KindDestination), string(stackconfig.KindSource)}

// CheckKind accepts a stack kind, or "" for every stack.
func CheckKind(kind string) error {
	if kind == "" || slices.Contains(Kinds, kind) {
		return nil
	}
	return fmt.Errorf("unknown kind %q; give %s, or leave --kind out for every stack", kind, strings.Join(Kinds, " or "))
}

// Load reads the mapping and checks every entry against its Pulumi.<stack>.yaml, and that every stack
// file has an entry.
func Load(dir string) ([]Stack, error) {
	data, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		return nil, err
	}
	var doc struct {
		Stacks map[string]Stack `yaml:"stacks"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	names, err := plan.StackNames(dir)
	if err != nil {
		return nil, err
	}
	load, err := plan.StackLoader(dir)
	if err != nil {
		return nil, err
	}
	// Each stack file is read and checked on its own, so a fleet's are read side by side (the YAML decoding
	// is most of a plan matrix over thousands of stacks); results keep the stack files' order.
	entries := make([]Stack, len(names))
	problems := make([]error, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := range next {
				name := names[i]
				entry, ok := doc.Stacks[name]
				if !ok {
					problems[i] = fmt.Errorf("%s: no entry for stack %q (Pulumi.%s.yaml); add its account, region, role and previewRole", File, name, name)
					continue
				}
				entry.Stack = name
				problems[i] = check(load, &entry)
				entries[i] = entry
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	var errs []error
	var out []Stack
	for i := range names {
		if problems[i] != nil {
			errs = append(errs, problems[i])
			continue
		}
		out = append(out, entries[i])
	}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	for name := range doc.Stacks {
		if !known[name] {
			errs = append(errs, fmt.Errorf("%s: stack %q has no Pulumi.%s.yaml; remove the entry or add the stack file", File, name, name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Stack < out[j].Stack })
	return out, nil
}

func check(load func(string) (plan.Stack, error), e *Stack) error {
	st, err := load(e.Stack)
	if err != nil {
		return err
	}
	e.Kind = st.Config[stackconfig.KeyStackKind]
	account := st.Config[stackconfig.KeyArchiveAccountID]
	if e.Kind == string(stackconfig.KindSource) {
		account = st.Config[stackconfig.KeySourceAccountID]
		e.DestinationStack = st.Config[stackconfig.KeyDestinationStack]
	}
	where := fmt.Sprintf("%s: stack %q", File, e.Stack)
	switch {
	case e.Kind != string(stackconfig.KindDestination) && e.Kind != string(stackconfig.KindSource):
		return fmt.Errorf("%s: Pulumi.%s.yaml has no valid %s", where, e.Stack, stackconfig.KeyStackKind)
	case e.Account != account:
		return fmt.Errorf("%s: account %q, but Pulumi.%s.yaml deploys to %q; the workflow would assume a role in the wrong account", where, e.Account, e.Stack, account)
	case e.Region != st.Config[stackconfig.KeyRegion]:
		return fmt.Errorf("%s: region %q, but Pulumi.%s.yaml has aws:region %q", where, e.Region, e.Stack, st.Config[stackconfig.KeyRegion])
	}
	for _, r := range []struct{ field, value string }{{"role", e.Role}, {"previewRole", e.PreviewRole}} {
		if !isRoleIn(r.value, e.Account) {
			return fmt.Errorf("%s: %s %q is not an IAM role ARN in account %s", where, r.field, r.value, e.Account)
		}
	}
	if e.Wave != "" && (e.Wave != WaveCanary || e.Kind != string(stackconfig.KindSource)) {
		return fmt.Errorf("%s: wave %q: only a source stack may set wave, and only to %q (the archive always deploys first; leave wave out for the deploy-sources wave)", where, e.Wave, WaveCanary)
	}
	if e.PreviewRole == e.Role {
		return fmt.Errorf("%s: previewRole is the deploy role; previews run before review and must use a read-only role (docs/pipeline.md, \"Credentials: what goes where\")", where)
	}
	return nil
}

func isRoleIn(roleARN, account string) bool {
	a, err := arn.Parse(roleARN)
	return err == nil && a.Service == "iam" && strings.HasPrefix(a.Resource, "role/") && a.AccountID == account
}
