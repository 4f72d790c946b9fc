// Package plan runs the program under Pulumi's mock monitor and records what `pulumi up` would do: the
// offline plan behind `go run ./cmd/plan`, and the one harness every test uses.
package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"log-archive/internal/awsid"
	"log-archive/internal/stackconfig"
)

// Program is a Pulumi program that returns the outputs it exports.
type Program func(ctx *pulumi.Context) (pulumi.Map, error)

// Stack is a stack's identity and configuration, keyed by namespaced key ("aws:region"); structured
// values are JSON, as the Pulumi engine hands them to a program.
type Stack struct {
	Project string
	Name    string
	Config  map[string]string
}

// Plan is what `pulumi up` would do, shaped like `pulumi preview --json`.
type Plan struct {
	Steps   []Step         `json:"steps"`
	Outputs map[string]any `json:"outputs"`
	// Warnings are what the program warned about, as `pulumi up` would print them.
	Warnings []string `json:"warnings,omitempty"`
}

// Step is one resource operation: "create" for a registered resource, "read" for a StackReference.
type Step struct {
	Op       string `json:"op"`
	URN      string `json:"urn"`
	NewState State  `json:"newState"`
}

// State is the resource as the program registered it. Inputs use Pulumi property names.
type State struct {
	Type           string         `json:"type"`
	Custom         bool           `json:"custom"`
	Inputs         map[string]any `json:"inputs"`
	Parent         string         `json:"parent,omitempty"`
	Protect        bool           `json:"protect"`
	RetainOnDelete bool           `json:"retainOnDelete"`
	Dependencies   []string       `json:"dependencies"`
	// IgnoreChanges are the inputs the engine keeps from the resource's state; ImportID, when set, adopts
	// an existing resource instead of creating one.
	IgnoreChanges []string `json:"ignoreChanges,omitempty"`
	ImportID      string   `json:"importId,omitempty"`
	// Provider is the explicit provider's reference (URN::ID), "" for the stack's default provider.
	Provider string `json:"provider,omitempty"`
}

// Run runs program for stack under the mock monitor. references answers StackReferences by name.
// The returned Plan holds every step recorded, also when the program failed.
func Run(stack Stack, program Program, references map[string]map[string]any) (*Plan, error) {
	if stack.Project == "" {
		stack.Project = stackconfig.Namespace
	}
	region := stack.Config[stackconfig.KeyRegion]
	partition, err := awsid.PartitionOf(region)
	if err != nil || region == "" {
		partition = "aws"
	}
	m := &mocks{
		project: stack.Project, stack: stack.Name,
		account: firstNonEmpty(stack.Config[stackconfig.KeyArchiveAccountID], stack.Config[stackconfig.KeySourceAccountID], "123456789012"),
		region:  firstNonEmpty(region, "us-east-1"), partition: partition,
		references: normalise(references),
	}
	var outputs pulumi.Map
	// The run's own Pulumi context, so that its Go context carries the warnings collector: the mock
	// engine drops log messages.
	goctx, warnings := stackconfig.WithWarnings(context.Background())
	goctx = stackconfig.WithConfigKeys(goctx, slices.Collect(maps.Keys(stack.Config)))
	runErr := func() error {
		pctx, err := pulumi.NewContext(goctx, pulumi.RunInfo{Project: stack.Project, Stack: stack.Name, Config: stack.Config, Mocks: m})
		if err != nil {
			return err
		}
		defer pctx.Close()
		return pulumi.RunWithContext(pctx, func(ctx *pulumi.Context) error {
			out, err := program(ctx)
			outputs = out
			return err
		})
	}()
	p := &Plan{Steps: order(m.steps), Outputs: map[string]any{}, Warnings: warnings.List()}
	if runErr != nil {
		return p, unwrapRunError(runErr)
	}
	for name, value := range outputs {
		res, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(value))
		if err != nil {
			return p, fmt.Errorf("output %s: %w", name, err)
		}
		p.Outputs[name] = asJSON(res.Value)
	}
	return p, nil
}

// LoadStack reads Pulumi.yaml and Pulumi.<name>.yaml from dir with the Pulumi SDK's own loaders.
func LoadStack(dir, name string) (Stack, error) {
	load, err := StackLoader(dir)
	if err != nil {
		return Stack{}, err
	}
	return load(name)
}

// StackLoader reads Pulumi.yaml once and returns a LoadStack for its stack files: reading the project
// is most of the cost of reading a stack, which matters for a fleet of thousands of stacks.
func StackLoader(dir string) (func(name string) (Stack, error), error) {
	project, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return nil, err
	}
	return func(name string) (Stack, error) { return loadStack(dir, project, name) }, nil
}

func loadStack(dir string, project *workspace.Project, name string) (Stack, error) {
	path := filepath.Join(dir, "Pulumi."+name+".yaml")
	if _, err := os.Stat(path); err != nil {
		return Stack{}, fmt.Errorf("stack %q: no stack file %s: %w", name, path, err)
	}
	sink := diag.DefaultSink(os.Stderr, os.Stderr, diag.FormatOptions{Color: "never"})
	ps, err := workspace.LoadProjectStack(sink, project, path)
	if err != nil {
		return Stack{}, yamlError("Pulumi."+name+".yaml", err)
	}
	cfg := map[string]string{}
	for key, value := range ps.Config {
		if value.Secure() {
			return Stack{}, fmt.Errorf("%s: %s is a secret, which the offline plan cannot decrypt", path, key)
		}
		v, err := value.Value(config.NopDecrypter)
		if err != nil {
			return Stack{}, fmt.Errorf("%s: %s: %w", path, key, err)
		}
		cfg[key.String()] = v
	}
	if err := applyProjectConfig(project, "Pulumi."+name+".yaml", cfg); err != nil {
		return Stack{}, err
	}
	return Stack{Project: project.Name.String(), Name: name, Config: cfg}, nil
}

// applyProjectConfig does to cfg what the Pulumi CLI does before `pulumi up` starts the program
// (ValidateStackConfigAndApplyProjectConfig in pkg/v3/workspace): a project key the stack does not set
// and Pulumi.yaml declares without a default is missing, a set value must be of its declared type, and
// declared defaults are merged in. So the offline plan refuses what `pulumi up` refuses and runs the
// program with the configuration it will see. The engine test checks the two agree.
func applyProjectConfig(project *workspace.Project, file string, cfg map[string]string) error {
	var errs stackconfig.Errors
	keys := make([]string, 0, len(project.Config))
	for k := range project.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		decl := project.Config[key]
		v, set := cfg[key]
		switch {
		case !set && decl.Default == nil:
			errs = append(errs, &stackconfig.Error{File: file, Key: key, Problem: "is required in every stack (Pulumi.yaml declares it without a default), so `pulumi up` refuses the stack",
				Fix: "set it in " + file})
		case !set:
			value, err := configValue(decl.Default)
			if err != nil {
				return fmt.Errorf("Pulumi.yaml: the default of %s: %w", key, err)
			}
			cfg[key] = value
		case decl.IsExplicitlyTyped():
			var content any = v
			if strings.HasPrefix(v, "[") || strings.HasPrefix(v, "{") {
				if err := json.Unmarshal([]byte(v), &content); err != nil {
					content = v
				}
			}
			if !workspace.ValidateConfigValue(decl.TypeName(), decl.Items, content) {
				want := workspace.InferFullTypeName(decl.TypeName(), decl.Items)
				fix := typeFix(want)
				if hasNumbers(content) && want == "array<string>" {
					// YAML read an unquoted ID as a number: 012345678901 is already 12345678901 here.
					fix = `quote every item, e.g. ["012345678901"]: YAML reads an unquoted account ID as a number and drops a leading zero, so the value shown may differ from what the file says`
				}
				errs = append(errs, &stackconfig.Error{File: file, Key: key, Value: v,
					Problem: "is not of the type Pulumi.yaml declares, " + want + ", so `pulumi up` refuses the stack",
					Fix:     fix})
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// configValue is a declared default as the CLI hands it to the program: scalars printed, the rest as JSON.
func configValue(v any) (string, error) {
	switch v.(type) {
	case string, int, bool:
		return fmt.Sprint(v), nil
	}
	simple, err := workspace.SimplifyMarshalledValue(v)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(simple)
	return string(b), err
}

func typeFix(typ string) string {
	switch typ {
	case "string":
		return "write a single value, quoted if it could be read as a number or a boolean"
	case "boolean":
		return "write true or false, without quotes"
	case "object":
		return "write a YAML mapping of fields (key: value lines indented under the key)"
	case "array<string>":
		return `write a YAML list of strings, e.g. ["a", "b"] or one "- item" line each`
	case "array<object>":
		return "write a YAML list with one mapping per item (\"- name: ...\" lines)"
	}
	return "write a value of type " + typ
}

// PlanStack plans the stack file Pulumi.<name>.yaml in dir. A source stack's StackReference is answered
// by planning the destination stack file it names, so the two plans agree.
func PlanStack(dir, name string, program Program) (*Plan, error) {
	stack, err := LoadStack(dir, name)
	if err != nil {
		return nil, err
	}
	refs := map[string]map[string]any{}
	if ref := stack.Config[stackconfig.KeyDestinationStack]; ref != "" && stack.Config[stackconfig.KeyStackKind] == string(stackconfig.KindSource) {
		target := stackconfig.DestinationStackName(ref)
		if target == name {
			return nil, fmt.Errorf("Pulumi.%s.yaml: %s names this stack itself", name, stackconfig.KeyDestinationStack)
		}
		if _, statErr := os.Stat(filepath.Join(dir, "Pulumi."+target+".yaml")); statErr == nil {
			dest, err := PlanStack(dir, target, program)
			if err != nil {
				return nil, fmt.Errorf("planning the archive stack %q that %s names: %w", target, stackconfig.KeyDestinationStack, err)
			}
			refs[ref] = dest.Outputs
		}
	}
	return Run(stack, program, refs)
}

// StackNames lists the stacks of the project in dir, from its Pulumi.<name>.yaml files.
func StackNames(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	sort.Strings(names)
	return names, nil
}

// Creates is every created resource (components included).
func (p *Plan) Creates() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Op == "create" {
			out = append(out, s)
		}
	}
	return out
}

// OfType is every created resource of a type token.
func (p *Plan) OfType(typ string) []Step {
	var out []Step
	for _, s := range p.Creates() {
		if s.NewState.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

// Named is the created resource with that type and name.
func (p *Plan) Named(typ, name string) (Step, bool) {
	for _, s := range p.OfType(typ) {
		if strings.HasSuffix(s.URN, "::"+name) {
			return s, true
		}
	}
	return Step{}, false
}

// Name is the resource name at the end of the step's URN.
func (s Step) Name() string { return s.URN[strings.LastIndex(s.URN, "::")+2:] }

// order puts reads first, then each resource before its children, siblings by URN, so the plan reads the
// same every run although the SDK registers resources concurrently.
func order(steps []Step) []Step {
	children := map[string][]Step{}
	var reads []Step
	urns := map[string]bool{}
	for _, s := range steps {
		urns[s.URN] = true
	}
	for _, s := range steps {
		if s.Op == "read" {
			reads = append(reads, s)
			continue
		}
		parent := s.NewState.Parent
		if !urns[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], s)
	}
	var out []Step
	var walk func(parent string)
	walk = func(parent string) {
		kids := children[parent]
		sort.Slice(kids, func(i, j int) bool { return kids[i].URN < kids[j].URN })
		for _, k := range kids {
			out = append(out, k)
			walk(k.URN)
		}
	}
	sort.Slice(reads, func(i, j int) bool { return reads[i].URN < reads[j].URN })
	out = append(out, reads...)
	walk("")
	return out
}

// normalise turns outputs into JSON-shaped values (float64 numbers, []any lists) as the engine would
// deliver them through a StackReference.
// asJSON gives an output the JSON shape the engine stores and a StackReference returns: nested maps of
// any, lists of any, float64 numbers.
func asJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

func normalise(refs map[string]map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, outputs := range refs {
		b, err := json.Marshal(outputs)
		if err != nil {
			continue
		}
		var v map[string]any
		if json.Unmarshal(b, &v) == nil {
			out[name] = v
		}
	}
	return out
}

// unwrapRunError drops the "1 error occurred" wrapping the SDK puts around a program's error, keeping the
// program's own error (and its type) for the caller.
func unwrapRunError(err error) error {
	var cfgErrs stackconfig.Errors
	if errors.As(err, &cfgErrs) {
		return cfgErrs
	}
	return err
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// yamlError names the stack file a YAML error is in, and the usual fix for it.
func yamlError(file string, err error) error {
	msg := err.Error()
	fix := "check the line it names: keys under config: indented by two spaces, lists in [ ] or one \"- item\" per line, text with a : or # in quotes"
	switch {
	case strings.Contains(msg, "already defined"):
		fix = "write each key once; keep the value you mean and delete the other line"
	case strings.Contains(msg, "cannot start any token") || strings.Contains(msg, "\t"):
		fix = "indent with spaces: YAML does not allow tabs"
	}
	return fmt.Errorf("%s is not valid YAML (%s). Fix: %s", file, strings.ReplaceAll(strings.TrimPrefix(msg, "invalid YAML file: "), "\n", " "), fix)
}

// hasNumbers says whether a list holds a number.
func hasNumbers(v any) bool {
	items, _ := v.([]any)
	for _, item := range items {
		if _, ok := item.(float64); ok {
			return true
		}
	}
	return false
}
