package program_test

import (
	"fmt"
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

// scaleDoc is docs/scale.md, where the README's Scale section moved.
func scaleDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testfixture.Root(), "docs", "scale.md"))
	require.NoError(t, err)
	return string(b)
}

// docs/scale.md's figures are the code's: plan limits' answer for the example archive (the fixture),
// found by planning it, never a hand-written number that drifts.
func TestScaleDoc_FiguresComeFromTheCode(t *testing.T) {
	limit, err := plan.MaxListedAccounts(testfixture.Project(t), "destination", program.Program)
	require.NoError(t, err)
	text := scaleDoc(t)
	assert.Contains(t, text, fmt.Sprintf("**%s listed source accounts** fit one archive", thousands(limit.MaxListed)))
	assert.Contains(t, text, fmt.Sprintf("Listed accounts cost %d bytes each", limit.BytesPerAccount))
	assert.Contains(t, text, fmt.Sprintf("# Stack destination lists %d source accounts; at most %d fit", limit.Listed, limit.MaxListed))
	// The fallback of docs/public-access.md, account-root principals (R2.13).
	require.Len(t, limit.Modes, 2)
	principals := limit.Modes[1]
	assert.Equal(t, "accountPrincipals", principals.SourcePrincipals)
	assert.Contains(t, text, fmt.Sprintf("(account-root principals, %d bytes\neach,", principals.BytesPerAccount))
	assert.Contains(t, text, fmt.Sprintf("**%s listed source accounts** fit.", thousands(principals.MaxListed)))
	assert.Contains(t, text, fmt.Sprintf("# With log-archive:sourcePrincipals: accountPrincipals instead of accountCondition, at most %d fit (%d bytes each).",
		principals.MaxListed, principals.BytesPerAccount))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// The source-side figure of docs/scale.md is the size check's own answer for the benchmark's
// account (5 Regions, 40-character names, a key per bucket, an archive with Object Lock).
func TestScaleDoc_SourceFigureComesFromTheCode(t *testing.T) {
	refs := archiveOutputs(t, with(destinationConfig(), "log-archive:objectLock", `{"mode":"GOVERNANCE","days":30}`))
	_, err := runStack(t, "workload-a", fleetConfig(400, fiveRegions), refs)
	require.Error(t, err)
	var fit int
	_, scanErr := fmt.Sscanf(err.Error()[strings.Index(err.Error(), "the first "):], "the first %d of the 400 buckets fit", &fit)
	require.NoError(t, scanErr)
	assert.Contains(t, scaleDoc(t), fmt.Sprintf("100 buckets in 5 Regions fit (at most %d)", fit))
}
