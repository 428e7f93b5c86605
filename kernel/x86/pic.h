/* pic.h — the legacy 8259A pair, which Pinfold only switches off. */
#ifndef PINFOLD_X86_PIC_H
#define PINFOLD_X86_PIC_H

void pic_disable(void);

#endif
