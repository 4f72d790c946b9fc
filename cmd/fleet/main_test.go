package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnknownCommandIsAUsageError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"no-such-command"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `unknown command "no-such-command"`)
	assert.Equal(t, 2, run(nil, &stdout, &stderr), "no command at all is a usage error")
}
