package stackconfig

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// inlineProgramKeys fills a gap of the Go SDK: an inline program (the Automation API's, or one under
// Pulumi's mock monitor) receives its configuration in-process, with no PULUMI_CONFIG in its environment,
// and pulumi.Context offers no way to list the keys. This reads the run's configuration map from the
// context by reflection, read-only: the stack's configuration with Pulumi.yaml's defaults merged in. If
// an SDK upgrade changes its shape, ok is false and the caller says that misspelt keys go undetected;
// TestInlineProgramKeys fails first.
func inlineProgramKeys(ctx *pulumi.Context) (keys []string, ok bool) {
	state := reflect.ValueOf(ctx).Elem().FieldByName("state")
	if !state.IsValid() || state.Kind() != reflect.Pointer || state.IsNil() {
		return nil, false
	}
	info := state.Elem().FieldByName("info")
	if !info.IsValid() || info.Kind() != reflect.Struct {
		return nil, false
	}
	cfg := info.FieldByName("Config")
	if !cfg.IsValid() || cfg.Kind() != reflect.Map || cfg.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	for _, k := range cfg.MapKeys() {
		keys = append(keys, k.String())
	}
	return keys, true
}
