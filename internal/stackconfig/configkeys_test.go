package stackconfig

import (
	"context"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type noResources struct{}

func (noResources) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name, args.Inputs, nil
}

func (noResources) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

// keysSeen runs an inline program whose in-process configuration is config and returns what configKeys
// lists for it.
func keysSeen(t *testing.T, goctx context.Context, config map[string]string) ([]string, bool) {
	t.Helper()
	ctx, err := pulumi.NewContext(goctx, pulumi.RunInfo{Project: "log-archive", Stack: "destination", Config: config, Mocks: noResources{}})
	require.NoError(t, err)
	defer ctx.Close()
	var keys []string
	var ok bool
	require.NoError(t, pulumi.RunWithContext(ctx, func(ctx *pulumi.Context) error {
		keys, ok = configKeys(ctx)
		return nil
	}))
	slices.Sort(keys)
	return keys, ok
}

// Each of the three places the keys come from, in order: the offline plan's loader, the environment the
// Pulumi CLI's language host sets, and the SDK's in-process copy for inline programs.
func TestConfigKeys_FromEachSource(t *testing.T) {
	inProcess := map[string]string{"log-archive:stackKind": "destination", "log-archive:objectlock": "{}"}
	fromCLI := `{"log-archive:stackKind":"destination","log-archive:lifecyle":"{}","aws:region":"eu-west-1"}`
	for _, tc := range []struct {
		name     string
		planKeys []string
		env      map[string]string
		want     []string
	}{
		{"inline program: the SDK's copy", nil, nil, []string{"log-archive:objectlock", "log-archive:stackKind"}},
		{"under the CLI: PULUMI_CONFIG", nil,
			map[string]string{pulumi.EnvConfig: fromCLI, pulumi.EnvProject: "log-archive", pulumi.EnvStack: "destination"},
			[]string{"aws:region", "log-archive:lifecyle", "log-archive:stackKind"}},
		{"PULUMI_CONFIG of another stack is not this run's", nil,
			map[string]string{pulumi.EnvConfig: fromCLI, pulumi.EnvProject: "log-archive", pulumi.EnvStack: "workload-a"},
			[]string{"log-archive:objectlock", "log-archive:stackKind"}},
		{"the offline plan's loader first", []string{"log-archive:stackKind", "log-archive:tag"},
			map[string]string{pulumi.EnvConfig: fromCLI, pulumi.EnvProject: "log-archive", pulumi.EnvStack: "destination"},
			[]string{"log-archive:stackKind", "log-archive:tag"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{pulumi.EnvConfig, pulumi.EnvProject, pulumi.EnvStack} {
				t.Setenv(k, tc.env[k])
			}
			goctx := context.Background()
			if tc.planKeys != nil {
				goctx = WithConfigKeys(goctx, tc.planKeys)
			}
			keys, ok := keysSeen(t, goctx, inProcess)
			require.True(t, ok)
			assert.Equal(t, tc.want, keys)
		})
	}
}

// The reflection on the SDK's internals still finds the run's configuration: an SDK upgrade that changes
// its shape fails here, not silently in a user's inline program.
func TestInlineProgramKeys(t *testing.T) {
	for _, k := range []string{pulumi.EnvConfig, pulumi.EnvProject, pulumi.EnvStack} {
		t.Setenv(k, "")
	}
	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "p", Stack: "s",
		Config: map[string]string{"log-archive:keyAlias": "alias/x"}, Mocks: noResources{}})
	require.NoError(t, err)
	defer ctx.Close()
	keys, ok := inlineProgramKeys(ctx)
	require.True(t, ok)
	assert.Equal(t, []string{"log-archive:keyAlias"}, keys)
}
