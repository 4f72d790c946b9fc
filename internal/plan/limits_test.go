package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// The limits of both log-archive:sourcePrincipals modes, the stack's own first; an archive with an
// organization has only the default (R2.13).
func TestMaxListedAccounts_ModesOfTheStack(t *testing.T) {
	tests := []struct {
		name      string
		extra     string // lines added to the fixture's config
		wantModes []string
	}{
		{"default", "", []string{"accountCondition", "accountPrincipals"}},
		{"fallback", "  log-archive:sourcePrincipals: accountPrincipals\n", []string{"accountPrincipals", "accountCondition"}},
		{"organization", "  log-archive:sourceOrganization: {id: o-a1b2c3d4e5}\n", []string{"accountCondition"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testfixture.Project(t)
			file := filepath.Join(dir, "Pulumi.destination.yaml")
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(file, []byte(strings.TrimRight(string(b), "\n")+"\n"+tt.extra), 0o644))

			limit, err := plan.MaxListedAccounts(dir, "destination", program.Program)
			require.NoError(t, err)
			var modes []string
			for _, m := range limit.Modes {
				modes = append(modes, m.SourcePrincipals)
				assert.Positive(t, m.MaxListed, m.SourcePrincipals)
			}
			assert.Equal(t, tt.wantModes, modes)
			assert.Equal(t, tt.wantModes[0], limit.SourcePrincipals)
			assert.Equal(t, limit.Modes[0].MaxListed, limit.MaxListed)
			assert.Equal(t, map[string]int{"accountCondition": 15, "accountPrincipals": 33}[limit.SourcePrincipals], limit.BytesPerAccount)
		})
	}
}
