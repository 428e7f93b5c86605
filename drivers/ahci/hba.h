/*
 * hba.h — the registers of an AHCI host bus adapter (HBA): offsets and bits.
 *
 * Section numbers are those of the Serial ATA AHCI 1.3.1 specification.  The
 * registers live in the memory BAR called ABAR (PCI BAR 5, §2.1.11): the
 * generic host control block at 0x00 (§3.1), then one 0x80-byte block per
 * port from 0x100 (§3.3).  Every register is 32 bits wide and is accessed
 * as one aligned dword; QEMU ignores misaligned writes.
 *
 * Pure data: nothing here touches a register.
 */
#ifndef PINFOLD_AHCI_HBA_H
#define PINFOLD_AHCI_HBA_H

#define AHCI_ABAR            5          /* the BAR that holds the registers, §2.1.11 */
#define AHCI_MAX_PORTS       32
#define AHCI_SLOTS           32         /* command slots per port at most, §3.1.1 CAP.NCS */

/* Generic host control, §3.1. */
#define HBA_CAP              0x00       /* capabilities, §3.1.1 */
#define HBA_GHC              0x04       /* global host control, §3.1.2 */
#define HBA_IS               0x08       /* interrupt status, one bit per port, §3.1.3 (RWC) */
#define HBA_PI               0x0c       /* ports implemented, §3.1.4 */
#define HBA_VS               0x10       /* version, §3.1.5 */

#define CAP_NP(cap)          (((cap) & 0x1f) + 1)            /* ports, 1-based */
#define CAP_NCS(cap)         ((((cap) >> 8) & 0x1f) + 1)     /* command slots per port, 1-based */
#define CAP_SNCQ             (1u << 30)                      /* native command queuing */
#define CAP_S64A             (1u << 31)                      /* 64-bit addresses in CLB, FB, CTBA, DBA */

#define GHC_HR               (1u << 0)  /* HBA reset: stops every port, §10.4.3; reads 1 until done */
#define GHC_IE               (1u << 1)  /* interrupts enabled */
#define GHC_AE               (1u << 31) /* AHCI enable (must be set before any port register is used) */

/* Port registers, §3.3: port p's block is at 0x100 + 0x80 * p. */
#define PORT_BASE(p)         (0x100u + 0x80u * (unsigned)(p))
#define PORT_SIZE            0x80u      /* one port's register block */
#define PX_CLB               0x00       /* command list base, 1 KiB aligned, §3.3.1 */
#define PX_CLBU              0x04       /* its upper 32 bits, §3.3.2 */
#define PX_FB                0x08       /* received-FIS base, 256 B aligned, §3.3.3 */
#define PX_FBU               0x0c       /* §3.3.4 */
#define PX_IS                0x10       /* interrupt status, §3.3.5 (RWC) */
#define PX_IE                0x14       /* interrupt enable, §3.3.6 */
#define PX_CMD               0x18       /* command and status, §3.3.7 */
#define PX_TFD               0x20       /* task file data: the device's status and error, §3.3.8 */
#define PX_SIG               0x24       /* signature from the device's first D2H FIS, §3.3.9 */
#define PX_SSTS              0x28       /* SATA status (SCR0), §3.3.10 */
#define PX_SCTL              0x2c       /* SATA control (SCR2), §3.3.11 */
#define PX_SERR              0x30       /* SATA error (SCR1), §3.3.12 (RWC) */
#define PX_SACT              0x34       /* SATA active: queued commands outstanding, §3.3.13 */
#define PX_CI                0x38       /* command issue: slots handed to the HBA, §3.3.14 */

/* PxIS and PxIE bits, §3.3.5-§3.3.6 (same positions in both). */
#define PXIS_DHRS            (1u << 0)  /* a D2H register FIS arrived (non-queued command done) */
#define PXIS_PSS             (1u << 1)  /* a PIO setup FIS arrived */
#define PXIS_DSS             (1u << 2)  /* a DMA setup FIS arrived */
#define PXIS_SDBS            (1u << 3)  /* a set-device-bits FIS arrived (queued commands done) */
#define PXIS_UFS             (1u << 4)  /* an unknown FIS arrived */
#define PXIS_DPS             (1u << 5)  /* a PRD with its I bit set was processed */
#define PXIS_PCS             (1u << 6)  /* port connect change */
#define PXIS_PRCS            (1u << 22) /* PhyRdy change */
#define PXIS_OFS             (1u << 24) /* overflow: the device sent more than the PRDs hold */
#define PXIS_INFS            (1u << 26) /* interface non-fatal error */
#define PXIS_IFS             (1u << 27) /* interface fatal error */
#define PXIS_HBDS            (1u << 28) /* host bus data error */
#define PXIS_HBFS            (1u << 29) /* host bus fatal error (e.g. a bad PRD address) */
#define PXIS_TFES            (1u << 30) /* task file error: the device set ERR in its status */
#define PXIS_CPDS            (1u << 31) /* cold port detect */
/* The errors after which the port must be stopped and recovered (§6.2.2.1). */
#define PXIS_FATAL           (PXIS_TFES | PXIS_HBFS | PXIS_HBDS | PXIS_IFS | PXIS_OFS)
/* What the driver wants to hear about: completions and every error. */
#define PXIE_DRIVER          (PXIS_DHRS | PXIS_PSS | PXIS_DSS | PXIS_SDBS | PXIS_UFS | \
			      PXIS_INFS | PXIS_FATAL)

/* PxCMD bits, §3.3.7. */
#define PXCMD_ST             (1u << 0)  /* start: the HBA processes the command list */
#define PXCMD_SUD            (1u << 1)  /* spin-up device */
#define PXCMD_POD            (1u << 2)  /* power on device */
#define PXCMD_FRE            (1u << 4)  /* FIS receive enable */
#define PXCMD_FR             (1u << 14) /* FIS receive running (read only) */
#define PXCMD_CR             (1u << 15) /* command list running (read only) */

/* PxTFD, §3.3.8: the ATA status register in bits 7:0, the error register in 15:8. */
#define TFD_STS_ERR          (1u << 0)
#define TFD_STS_DRQ          (1u << 3)
#define TFD_STS_BSY          (1u << 7)
#define TFD_ERROR(tfd)       (((tfd) >> 8) & 0xff)

/* PxSSTS, §3.3.10. */
#define SSTS_DET(ssts)       ((ssts) & 0xf)
#define SSTS_DET_PRESENT     3          /* device present and phy communication established */

/* PxSCTL, §3.3.11: DET = 1 sends COMRESET for as long as it stays set (§10.4.2). */
#define SCTL_DET_MASK        0xfu
#define SCTL_DET_COMRESET    1u

/* PxSIG values, §3.3.9 (the first D2H FIS's count, LBA low, mid and high). */
#define SIG_ATA              0x00000101u        /* a disk */
#define SIG_ATAPI            0xeb140101u        /* a packet device (CD/DVD) */

#endif
