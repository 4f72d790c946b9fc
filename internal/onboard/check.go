package onboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/stackconfig"
)

// Finding is one way the stack files, .github/stacks.yaml, the archive's list and fleet.yaml disagree.
type Finding struct {
	// Problem findings fail the check; the others are notices (an admitted account without a stack is
	// the normal state between the archive's deploy and the source's, and fails only with --strict).
	Problem bool   `json:"problem"`
	Subject string `json:"subject"`
	What    string `json:"what"`
	Fix     string `json:"fix"`
}

func (f Finding) String() string {
	kind := "notice"
	if f.Problem {
		kind = "problem"
	}
	return fmt.Sprintf("%s: %s: %s. Fix: %s", kind, f.Subject, f.What, f.Fix)
}

type archiveList struct {
	listed       []string
	organization string
}

// stackLoader loads the stack files of dir, reading Pulumi.yaml once rather than once per stack (plan.StackLoader);
// when Pulumi.yaml does not load, every stack fails to load with its error, as plan.LoadStack does.
func stackLoader(dir string) func(name string) (plan.Stack, error) {
	load, err := plan.StackLoader(dir)
	if err != nil {
		return func(string) (plan.Stack, error) { return plan.Stack{}, err }
	}
	return load
}

// Check reads every stack file with the Pulumi CLI's loader, .github/stacks.yaml and fleet.yaml (when
// there is one), and returns every disagreement, problems first.
func Check(dir string) ([]Finding, error) {
	names, err := plan.StackNames(dir)
	if err != nil {
		return nil, err
	}
	var out []Finding
	problem := func(subject, what, fix string) { out = append(out, Finding{true, subject, what, fix}) }
	archives := map[string]archiveList{}
	type source struct{ stack, account, archive string }
	var sources []source
	load := stackLoader(dir)
	for _, name := range names {
		st, err := load(name)
		if err != nil {
			problem(StackFile(name), "does not load as the Pulumi CLI loads it: "+err.Error(), "go run ./cmd/plan --stack "+name+" shows every problem")
			continue
		}
		switch st.Config[stackconfig.KeyStackKind] {
		case string(stackconfig.KindDestination):
			a := archiveList{listed: jsonStrings(st.Config[stackconfig.KeySourceAccountIDs])}
			if org := jsonObject(st.Config[stackconfig.KeySourceOrganization]); org["id"] != nil {
				a.organization = fmt.Sprint(org["id"])
			}
			archives[name] = a
		case string(stackconfig.KindSource):
			sources = append(sources, source{name, st.Config[stackconfig.KeySourceAccountID],
				stackconfig.DestinationStackName(st.Config[stackconfig.KeyDestinationStack])})
		}
	}

	byAccount := map[string][]string{}
	for _, s := range sources {
		byAccount[s.account] = append(byAccount[s.account], s.stack)
		a, ok := archives[s.archive]
		switch {
		case !ok:
			problem(StackFile(s.stack), fmt.Sprintf("its log-archive:destinationStack names the stack %q, which has no destination stack file here", s.archive),
				"correct log-archive:destinationStack, or add Pulumi."+s.archive+".yaml")
		case !slices.Contains(a.listed, s.account) && a.organization == "":
			problem(StackFile(s.stack), fmt.Sprintf("account %s has a source stack but the archive (%s) does not admit it: its first deploy stops before creating anything", s.account, StackFile(s.archive)),
				fmt.Sprintf("add %q to log-archive:sourceAccountIds in %s (go run ./cmd/fleet onboard does it for fleet.yaml's accounts), or offboard the stack", s.account, StackFile(s.archive)))
		}
	}
	for account, stacks := range byAccount {
		if len(stacks) > 1 {
			problem("account "+account, fmt.Sprintf("%d source stacks (%s): they collide on the replication role's name", len(stacks), strings.Join(stacks, ", ")),
				"keep one stack per account: buckets of other Regions go in the same stack (docs/deploying.md, \"Several Regions in one account\")")
		}
	}
	for name, a := range archives {
		for _, account := range a.listed {
			if !slices.ContainsFunc(sources, func(s source) bool { return s.account == account && s.archive == name }) {
				out = append(out, Finding{false, StackFile(name), fmt.Sprintf("admits account %s, which has no source stack here", account),
					"onboard it (go run ./cmd/fleet onboard), or remove it from log-archive:sourceAccountIds once it is offboarded: an admitted account keeps its grant in the archive's policies"})
			}
		}
	}
	out = append(out, checkStacksYAML(dir, names)...)
	fleetFindings, err := checkFleet(dir, names)
	if err != nil {
		return nil, err
	}
	out = append(out, fleetFindings...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Problem != out[j].Problem {
			return out[i].Problem
		}
		return out[i].Subject < out[j].Subject
	})
	return out, nil
}

// checkStacksYAML finds entries without a stack file and stack files without an entry.
func checkStacksYAML(dir string, names []string) []Finding {
	raw, err := os.ReadFile(filepath.Join(dir, cistacks.File))
	if err != nil {
		return []Finding{{true, cistacks.File, err.Error(), "create it with one entry per stack file (go run ./cmd/fleet onboard writes the fleet's)"}}
	}
	doc, err := parseDoc(cistacks.File, raw)
	if err != nil {
		return []Finding{{true, cistacks.File, err.Error(), "fix its YAML"}}
	}
	var out []Finding
	entries := configKeys(lookup(doc.Content[0], "stacks"))
	for _, e := range entries {
		if !slices.Contains(names, e) {
			out = append(out, Finding{true, cistacks.File, fmt.Sprintf("the entry %q has no %s: the workflows would run a stack that does not exist", e, StackFile(e)),
				"remove the entry (go run ./cmd/fleet offboard --stack " + e + " does it), or add the stack file"})
		}
	}
	for _, n := range names {
		if !slices.Contains(entries, n) {
			out = append(out, Finding{true, StackFile(n), "has no entry in " + cistacks.File + ": no workflow previews or deploys it",
				"add its account, region, role and previewRole (go run ./cmd/fleet onboard does it for fleet.yaml's accounts)"})
		}
	}
	return out
}

// checkFleet finds generated stack files that differ from what fleet.yaml renders, accounts of fleet.yaml
// without a file, and generated files fleet.yaml no longer lists.
func checkFleet(dir string, names []string) ([]Finding, error) {
	f, err := LoadFleet(dir)
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, FleetFile)); errors.Is(statErr, os.ErrNotExist) {
			return nil, nil // no fleet: every stack file is the user's own
		}
		return []Finding{{true, FleetFile, err.Error(), "correct it, then run go run ./cmd/fleet onboard"}}, nil
	}
	var out []Finding
	listed := map[string]bool{}
	for _, a := range f.Accounts {
		listed[a.Stack] = true
		got, err := os.ReadFile(filepath.Join(dir, StackFile(a.Stack)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		want, renderErr := f.RenderOver(dir, a, got)
		if renderErr != nil {
			out = append(out, Finding{true, FleetFile, renderErr.Error(), "correct the account's entry"})
			continue
		}
		switch {
		case errors.Is(err, os.ErrNotExist):
			out = append(out, Finding{true, FleetFile, fmt.Sprintf("lists account %s (stack %s), which has no %s", a.Account, a.Stack, StackFile(a.Stack)),
				"go run ./cmd/fleet onboard writes it; or remove the entry if the account is offboarded"})
		case !bytes.Equal(got, want):
			out = append(out, Finding{true, StackFile(a.Stack), "differs from what " + FleetFile + " renders for it (a hand edit, or " + FleetFile + " changed since it was generated)",
				"go run ./cmd/fleet onboard regenerates it; put a lasting change in " + FleetFile})
		}
	}
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join(dir, StackFile(n)))
		if err == nil && IsGenerated(raw) && !listed[n] {
			out = append(out, Finding{true, StackFile(n), "was generated by onboard, but " + FleetFile + " has no account entry for it",
				"offboard it (go run ./cmd/fleet offboard --stack " + n + "), or add its entry back to " + FleetFile})
		}
	}
	return out, nil
}

// jsonStrings and jsonObject read a structured config value as the loader hands it over (JSON); a value
// of the wrong shape reads as empty, and the program's own validation reports it.
func jsonStrings(v string) []string {
	var out []string
	_ = json.Unmarshal([]byte(v), &out)
	return out
}

func jsonObject(v string) map[string]any {
	var out map[string]any
	_ = json.Unmarshal([]byte(v), &out)
	return out
}
