//go:build tools

// Package tools pins the Pulumi CLI that the engine test (internal/enginetest) runs. The CLI is not
// installable as a binary on the project's machines, so .ci/run builds it from source with this module.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
