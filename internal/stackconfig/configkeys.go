package stackconfig

import (
	"context"
	"encoding/json"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// configKeys lists every configuration key of the run, with Pulumi.yaml's declared defaults merged in as
// the CLI merges them. The Go SDK lets a program read a key by name only (pulumi.Context cannot enumerate
// them), so the list comes from the first of three places that has it:
//
//  1. the offline plan's own loader, which passes the keys it loaded in the run's Go context
//     (WithConfigKeys);
//  2. PULUMI_CONFIG, the JSON map the Pulumi CLI's Go language host puts in the environment of the
//     program it runs under `pulumi preview` and `pulumi up` (pulumi-language-go's constructEnv; the SDK
//     reads the same variable in getEnvInfo);
//  3. for an inline program (Automation API, Pulumi's mocks), which gets its configuration in-process and
//     has neither, the SDK's own copy, read by reflection (inlineprogramkeys.go).
//
// ok is false when none of them answers; the caller then warns that misspelt keys go undetected.
func configKeys(ctx *pulumi.Context) (keys []string, ok bool) {
	if keys, ok := ctx.Context().Value(configKeysKey{}).([]string); ok {
		return keys, true
	}
	if keys, ok := environmentKeys(ctx); ok {
		return keys, true
	}
	return inlineProgramKeys(ctx)
}

type configKeysKey struct{}

// WithConfigKeys returns a Go context whose Pulumi runs take keys as their configuration's keys: for a
// caller that loaded the configuration itself, as the offline plan does.
func WithConfigKeys(ctx context.Context, keys []string) context.Context {
	return context.WithValue(ctx, configKeysKey{}, append([]string{}, keys...))
}

// environmentKeys reads PULUMI_CONFIG when the environment describes this run: PULUMI_PROJECT and
// PULUMI_STACK, which the language host sets beside it, name this project and stack. An inline program
// may run in a process whose environment says something else, or nothing.
func environmentKeys(ctx *pulumi.Context) ([]string, bool) {
	raw := os.Getenv(pulumi.EnvConfig)
	if raw == "" || os.Getenv(pulumi.EnvProject) != ctx.Project() || os.Getenv(pulumi.EnvStack) != ctx.Stack() {
		return nil, false
	}
	var config map[string]string
	if err := json.Unmarshal([]byte(raw), &config); err != nil {
		return nil, false
	}
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	return keys, true
}
