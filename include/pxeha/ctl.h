/*
 * Control endpoint: evhttp on [ctl] listen.  GET /status (JSON, or text
 * with ?format=text), GET /metrics (Prometheus text format), POST /reload
 * (needs "Authorization: Bearer TOKEN").
 */
#ifndef PXEHA_CTL_H
#define PXEHA_CTL_H

struct pxeha;
struct ctl;

/* Bind and serve; returns NULL (logged) when the address cannot be bound. */
struct ctl	*ctl_new(struct pxeha *);
void		 ctl_free(struct ctl *);

#endif
