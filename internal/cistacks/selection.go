package cistacks

import (
	"fmt"

	"reflect"
	"slices"
	"strings"

	"log-archive/internal/contract"
	"log-archive/internal/stackconfig"
)

// Selected is a stack a change affects, and why.
type Selected struct {
	Stack
	Reason string `json:"reason"`
}

// ArchiveChange is how one archive's contract outputs (what its source stacks read through their
// StackReference) differ between the base and the working tree, from the two offline plans.
type ArchiveChange struct {
	// New is true when the base has no such archive stack file: every source that names it is selected.
	New bool
	// Outputs are the contract outputs, other than the account list, whose values differ.
	Outputs []string
	// Accounts are the listed source accounts that were added or removed: only those accounts' source
	// stacks see a different contract.
	Accounts []string
}

// Change is what a change touches, relative to the project directory.
type Change struct {
	// Files are the paths changed between the merge base and the working tree, relative to the project
	// directory, with forward slashes.
	Files []string
	// BaseEntries are .github/stacks.yaml's entries at the merge base (nil when it had none).
	BaseEntries map[string]Stack
	// Archive compares an archive's contract outputs at the merge base and in the working tree. It is
	// called only for an archive whose stack file changed while no Go code did (a Go change selects
	// every stack anyway).
	Archive func(stack string) (ArchiveChange, error)
}

// programFile says whether a changed file can change what the program does for every stack: the
// project file, the Go module, Go code, and the data files the Go packages embed.
func programFile(f string) bool {
	switch {
	case f == "Pulumi.yaml", f == "go.mod", f == "go.sum", strings.HasSuffix(f, ".go"):
		return true
	case strings.HasPrefix(f, "components/"), strings.HasPrefix(f, "internal/"), strings.HasPrefix(f, "cmd/"):
		// Embedded data such as internal/awsid/partitions.json; tests' testdata change no plan.
		return !strings.Contains("/"+f, "/testdata/")
	}
	return false
}

// stackFile is the stack a Pulumi.<stack>.yaml at the project's top names, or "".
func stackFile(f string) string {
	if strings.Contains(f, "/") || !strings.HasPrefix(f, "Pulumi.") || !strings.HasSuffix(f, ".yaml") || f == "Pulumi.yaml" {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(f, "Pulumi."), ".yaml")
}

// Select is the stacks a change affects, each once, in the order of stacks, with the first reason that
// selected it:
//   - Pulumi.yaml, go.mod, go.sum, any Go file or the data Go code embeds: every stack;
//   - a stack file: its stack;
//   - an entry of .github/stacks.yaml that changed (account, Region, roles, wave): its stack;
//   - an archive whose contract outputs change: the source stacks that read it, all of them for an output
//     they all read, only the added or removed accounts' stacks for a change to the account list.
//
// Anything else (documentation, workflows, tests' data) selects nothing.
func Select(stacks []Stack, change Change) ([]Selected, error) {
	reasons := map[string]string{}
	add := func(name, why string) {
		if _, ok := reasons[name]; !ok {
			reasons[name] = why
		}
	}
	var program []string
	for _, f := range change.Files {
		if programFile(f) {
			program = append(program, f)
		}
		if name := stackFile(f); name != "" {
			add(name, fmt.Sprintf("its stack file %s changed", f))
		}
	}
	if len(program) > 0 {
		why := fmt.Sprintf("the program changed (%s", program[0])
		if len(program) > 1 {
			why += fmt.Sprintf(" and %d more files", len(program)-1)
		}
		for _, s := range stacks {
			add(s.Stack, why+")")
		}
		return collect(stacks, reasons), nil
	}
	if slices.Contains(change.Files, File) {
		for _, s := range stacks {
			old, ok := change.BaseEntries[s.Stack]
			if ok && old.Account == s.Account && old.Region == s.Region && old.Role == s.Role && old.PreviewRole == s.PreviewRole && old.Wave == s.Wave {
				continue
			}
			add(s.Stack, "its entry in "+File+" changed")
		}
	}
	for _, archive := range stacks {
		if archive.Kind != string(stackconfig.KindDestination) || !slices.Contains(change.Files, "Pulumi."+archive.Stack+".yaml") {
			continue
		}
		if change.Archive == nil {
			return nil, fmt.Errorf("the archive stack %s changed and there is no way to compare its contract outputs", archive.Stack)
		}
		diff, err := change.Archive(archive.Stack)
		if err != nil {
			return nil, fmt.Errorf("comparing the contract outputs of the archive stack %s: %w", archive.Stack, err)
		}
		for _, s := range stacks {
			if s.Kind != string(stackconfig.KindSource) || stackconfig.DestinationStackName(s.DestinationStack) != archive.Stack {
				continue
			}
			switch {
			case diff.New:
				add(s.Stack, fmt.Sprintf("the archive stack %s is new", archive.Stack))
			case len(diff.Outputs) > 0:
				add(s.Stack, fmt.Sprintf("the archive %s changes the contract outputs it reads: %s", archive.Stack, strings.Join(diff.Outputs, ", ")))
			case slices.Contains(diff.Accounts, s.Account):
				add(s.Stack, fmt.Sprintf("the archive %s adds or removes its account %s", archive.Stack, s.Account))
			}
		}
	}
	return collect(stacks, reasons), nil
}

func collect(stacks []Stack, reasons map[string]string) []Selected {
	out := []Selected{}
	for _, s := range stacks {
		if why, ok := reasons[s.Stack]; ok {
			out = append(out, Selected{Stack: s, Reason: why})
		}
	}
	return out
}

// All selects every stack, the selection without --changed-since.
func All(stacks []Stack) []Selected {
	out := make([]Selected, len(stacks))
	for i, s := range stacks {
		out[i] = Selected{Stack: s, Reason: "every stack is selected (no --changed-since)"}
	}
	return out
}

// CompareContract compares an archive's outputs in two offline plans: every output of the contract
// (internal/contract's ArchiveOutputs) but the ones for people, the account list apart.
func CompareContract(base, head map[string]any) ArchiveChange {
	var change ArchiveChange
	var o contract.ArchiveOutputs
	accounts := contract.NameOf(&o, &o.SourceAccountIDs)
	forPeople := map[string]bool{contract.NameOf(&o, &o.KeyAlias): true}
	for _, k := range contract.Names[contract.ArchiveOutputs]() {
		if k == accounts || forPeople[k] {
			continue
		}
		if !reflect.DeepEqual(base[k], head[k]) {
			change.Outputs = append(change.Outputs, k)
		}
	}
	was, is := stringSet(base[accounts]), stringSet(head[accounts])
	for a := range was {
		if !is[a] {
			change.Accounts = append(change.Accounts, a)
		}
	}
	for a := range is {
		if !was[a] {
			change.Accounts = append(change.Accounts, a)
		}
	}
	slices.Sort(change.Accounts)
	return change
}

func stringSet(v any) map[string]bool {
	out := map[string]bool{}
	if list, ok := v.([]any); ok {
		for _, x := range list {
			if s, ok := x.(string); ok {
				out[s] = true
			}
		}
	}
	return out
}
