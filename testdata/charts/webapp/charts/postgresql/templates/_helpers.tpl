{{- define "postgresql.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "postgresql.password" -}}
{{- .Values.global.postgresql.auth.postgresPassword | default "postgres" }}
{{- end }}
