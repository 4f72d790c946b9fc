package rollout_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/rollout"
)

func TestParseTolerance(t *testing.T) {
	tests := []struct {
		in    string
		total int
		limit int
	}{
		{"0", 100, 0}, {"1", 100, 1}, {"25", 10, 25}, {"10%", 1200, 120}, {"10%", 9, 0}, {"100%", 7, 7}, {"0%", 50, 0},
	}
	for _, tt := range tests {
		tol, err := rollout.ParseTolerance(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.limit, tol.Limit(tt.total), "%s of %d", tt.in, tt.total)
		assert.Equal(t, tt.in, tol.String())
	}
	for _, bad := range []string{"", "-1", "x", "101%", "-5%", "1.5", "%"} {
		_, err := rollout.ParseTolerance(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "give a count (0, 1, ...) or a percentage from 0% to 100%", bad)
	}
}
