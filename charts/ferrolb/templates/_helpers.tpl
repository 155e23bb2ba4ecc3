{{/* Names, as MetalLB's chart makes them. */}}
{{- define "ferrolb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ferrolb.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ferrolb.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "ferrolb.labels" -}}
helm.sh/chart: {{ include "ferrolb.chart" . }}
app.kubernetes.io/name: {{ include "ferrolb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ferrolb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ferrolb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ferrolb.controller.serviceAccountName" -}}
{{- if .Values.controller.serviceAccount.create }}
{{- default (printf "%s-controller" (include "ferrolb.fullname" .)) .Values.controller.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.controller.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ferrolb.speaker.serviceAccountName" -}}
{{- if .Values.speaker.serviceAccount.create }}
{{- default (printf "%s-speaker" (include "ferrolb.fullname" .)) .Values.speaker.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.speaker.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The gossip key Secret: "memberlist" by default, the name the controller creates when it is missing. */}}
{{- define "ferrolb.memberlistSecretName" -}}
{{- default "memberlist" .Values.speaker.memberlist.secretName }}
{{- end }}

{{/* repository:tag, the tag defaulting to the chart's appVersion. Call with (dict "image" .Values.x.image "root" .) */}}
{{- define "ferrolb.image" -}}
{{- printf "%s:%s" .image.repository (toString (default .root.Chart.AppVersion .image.tag)) }}
{{- end }}

{{/* FerroLB's log level; MetalLB's "all" and "none" map to trace and fatal. */}}
{{- define "ferrolb.logLevel" -}}
{{- $l := . | default "info" | lower }}
{{- if eq $l "all" }}trace{{ else if eq $l "none" }}fatal{{ else if has $l (list "trace" "debug" "info" "warn" "error" "fatal") }}{{ $l }}{{ else }}{{ fail (printf "logLevel %q: expected trace, debug, info, warn, error or fatal (or MetalLB's all or none)" .) }}{{ end }}
{{- end }}
