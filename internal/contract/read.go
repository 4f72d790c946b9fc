package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The three places outputs come from, each as the map Parse reads: JSON's types (numbers are float64).

// ReadOutputsFile reads the JSON that `pulumi stack output --json` prints, saved to a file.
func ReadOutputsFile(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseJSON(path, data)
}

// StackOutputs runs `pulumi stack output --json --stack NAME` (in dir, when set) and parses it. The
// Pulumi CLI must be logged in to the backend that holds the stack.
func StackOutputs(ctx context.Context, pulumiCmd, stack, dir string) (map[string]any, error) {
	cmd := exec.CommandContext(ctx, pulumiCmd, "stack", "output", "--json", "--stack", stack)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return nil, fmt.Errorf("reading stack %s needs the Pulumi CLI (%s), which is not on PATH. Fix: install it and log in to the stacks' backend, "+
			"or save the outputs where it is (`pulumi stack output --json --stack %s > %s.json`) and pass the files with --source-outputs/--archive-outputs", stack, pulumiCmd, stack, stack)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no message"
		}
		return nil, fmt.Errorf("`%s stack output --json --stack %s` failed: %v: %s", pulumiCmd, stack, err, msg)
	}
	return parseJSON("stack "+stack, out)
}

func parseJSON(from string, data []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: not the JSON of `pulumi stack output --json`: %w", from, err)
	}
	return m, nil
}

// ReferenceOutputs reads T's outputs from a StackReference to stack, secret or not; an absent one is left
// out.
func ReferenceOutputs[T Outputs](ref *pulumi.StackReference, stack string) (map[string]any, error) {
	values := map[string]any{}
	for _, name := range Names[T]() {
		d, err := ref.GetOutputDetails(name)
		if err != nil {
			return nil, fmt.Errorf("reading output %s of %s: %w", name, stack, err)
		}
		if v := d.Value; v != nil {
			values[name] = v
		} else if d.SecretValue != nil {
			values[name] = d.SecretValue
		}
	}
	return values, nil
}
