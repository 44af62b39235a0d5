/*
 * cp_calls_journal: the calls' section of the control plane's journal
 * (cp_journal): every call with media, so that a control plane restarted
 * under live calls takes them over (their media never stopped: the legs are
 * the dataplane's), or, when it cannot, clears their dataplane and ICE legs.
 */
#ifndef CP_CALLS_JOURNAL_H
#define CP_CALLS_JOURNAL_H

#include <stdbool.h>

#include "cp_calls.h"

/**
 * Register the section and an attach hook (before the first attach;
 * enabled: calls.ng_enabled). A control plane that takes the journal over
 * restores the calls in cp_calls_journal_restore; without calls (or with a
 * journal of another build's layout) it clears the calls' dataplane and ICE
 * legs instead. @return 0 or the cp_journal/cp_ipc error.
 */
int cp_calls_journal_register(bool enabled);

/**
 * Take over the calls the journal kept into the registry and the media
 * module (cp_calls_media_init calls it once the registry exists); logs how
 * many. Without a journal: only remembers the registry for later saves.
 */
void cp_calls_journal_restore(struct cp_calls *calls);

#endif
